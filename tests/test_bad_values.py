"""Generated from conf/: every numeric and choice option of every preset gets a wrong type, a negative, a zero
and an out-of-range value; each value its declaration refuses must end in one line naming the option, with no
traceback, no run folder and no cache entry."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

from tests.conftest import CONF_DIR, cli_env
from xner.errors import ConfigError
from xner.experiments import checks, schemas
from xner.options import Range, check_value
from xner.runtime.validate import declared_options, group_choices, validate

EXPERIMENT_LANGS = {"alignment_eval": "en", "europarl_intrinsic": "de", "translate_train": "es", "translate_test": "es"}
GROUPS = ("paths", "data", "model", "trainer", "experiment", "logger", "source_model", "aligner", "projector",
          "translator", "back_translator", "labeller", "hydra.launcher")
TOP_LEVEL = ("seed", "threads")


def contexts() -> list[tuple[str, ...]]:
    """Command lines that select every preset of every group at least once."""
    found: list[tuple[str, ...]] = [("lang=de",), ("lang=swa",), ("lang=de", "hydra/launcher=local")]
    found += [(f"experiment={e}", f"lang={EXPERIMENT_LANGS.get(e, 'swa')}") for e in group_choices("experiment")]
    found += [("lang=de", f"aligner={a}") for a in group_choices("aligner")]
    found += [("lang=de", f"projector={p}") for p in group_choices("projector")]
    mandatory = {"candidates/ner": ("projector.candidates.predictions=target_model",),
                 "scorer/ner": ("projector.scorer.probabilities=target_model",)}
    for group in ("candidates", "scorer"):
        found += [("lang=swa", "projector=ilp", f"projector/{group}={c}", *mandatory.get(f"{group}/{c}", ()))
                  for c in group_choices(f"projector/{group}")]
    found += [("experiment=translate_test", "lang=es", f"translator={t}") for t in group_choices("translator")]
    found += [("lang=es", "experiment.alignment_mode=tgt2tgt", f"back_translator={b}") for b in group_choices("back_translator")]
    found += [("lang=swa", f"labeller={x}") for x in group_choices("labeller") if x != "none"]
    found += [("lang=swa", f"trainer={t}") for t in group_choices("trainer")]
    found += [("lang=swa", f"model={m}") for m in group_choices("model") if m != "none"]
    parallel_langs = {"visual_genome": "hin", "multi30k_nllb": "ukr"}
    found += [("experiment=projection", f"lang={parallel_langs.get(p, 'de' if p.startswith('multi30k') else 'swa')}",
               f"parallel={p}") for p in group_choices("parallel") if p != "none"]
    return found


@lru_cache(maxsize=None)
def composed(context: tuple[str, ...]):
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose("config", overrides=list(context), return_hydra_config=True)


def leaves(node: Any, prefix: str) -> dict[str, Any]:
    if isinstance(node, dict):
        found = {}
        for key, value in node.items():
            if key != "_target_":
                found.update(leaves(value, f"{prefix}.{key}" if prefix else str(key)))
        return found
    return {prefix: node}


def is_numeric_or_choice(annotation: Any) -> bool:
    text = repr(annotation)
    return any(t in text for t in ("int", "float", "Literal"))


def bounds(annotation: Any) -> list[Range]:
    found = [a for a in typing.get_args(annotation) if isinstance(a, Range)]
    for member in typing.get_args(annotation):
        found += bounds(member)
    return found


def candidates(annotation: Any) -> list[Any]:
    values: list[Any] = ["abc", -1, 0]
    literals = [a for a in typing.get_args(annotation) if isinstance(a, int) and not isinstance(a, bool)]
    for bound in bounds(annotation):
        if bound.hi is not None:
            values.append(int(bound.hi) + 1 if float(bound.hi).is_integer() else bound.hi * 2)
        elif bound.lo is not None and bound.lo - 1 not in values:
            values.append(int(bound.lo) - 1)
    if literals:
        values.append(max(literals) + 1)
    return list(dict.fromkeys(values))


def refused(key: str, value: Any, annotation: Any) -> bool:
    try:
        check_value(key, value, annotation)
    except ConfigError:
        return True
    return False


def lookup(declared: dict[str, Any], key: str) -> Any:
    """A key's declaration, or the value type of the mapping option above it (`projector.scorer.weights.ner`)."""
    if key in declared:
        return declared[key]
    parent = key.rpartition(".")[0]
    while parent:
        annotation = declared.get(parent)
        if annotation is not None:
            mappings = [a for a in (annotation, *typing.get_args(annotation)) if typing.get_origin(a) in (dict, Mapping)]
            return typing.get_args(mappings[0])[1] if mappings and len(typing.get_args(mappings[0])) == 2 else None
        parent = parent.rpartition(".")[0]
    return None


def cases() -> list[tuple[tuple[str, ...], str, Any]]:
    seen, found = set(), []
    for context in contexts():
        cfg = composed(context)
        declared = declared_options(cfg, schemas())
        plain = {group: OmegaConf.to_container(OmegaConf.select(cfg, group), resolve=False)
                 for group in GROUPS if isinstance(OmegaConf.select(cfg, group), (dict, type(cfg)))}
        values = {key: value for group, node in plain.items() for key, value in leaves(node, group).items()}
        values.update({key: cfg.get(key) for key in TOP_LEVEL})
        for key, value in values.items():
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            annotation = lookup(declared, key)
            if annotation is None:
                if numeric:
                    found.append((context, key, "UNDECLARED"))
                continue
            if not (numeric or is_numeric_or_choice(annotation)) or (key, repr(annotation)) in seen or key == "paths.root_dir":
                continue
            seen.add((key, repr(annotation)))
            for bad in candidates(annotation):
                if refused(key, bad, annotation):
                    found.append((context, key, bad))
    return found


CASES = cases()
GlobalHydra.instance().clear()


def test_every_numeric_option_in_conf_is_declared_and_every_preset_validates():
    covered = {key for _, key, bad in CASES if bad != "UNDECLARED"}
    undeclared = sorted({key for _, key, bad in CASES if bad == "UNDECLARED"} - covered)
    assert not undeclared, f"options in conf/ with no declared type and range: {undeclared}"
    for context in contexts():
        validate(composed(context), checks(), schemas())  # the context itself is valid: refusals below are the value's
    GlobalHydra.instance().clear()
    for key in ("aligner.iterations", "aligner.n_samplers", "projector.chunk_size", "projector.top_k",
                "projector.length_ratio_threshold", "model.learning_rate", "trainer.max_epochs", "data.max_sentences",
                "hydra.launcher.n_jobs", "experiment.source_gold_ratio", "seed", "threads"):
        assert key in covered, key


@pytest.mark.parametrize("context, key, value", [c for c in CASES if c[2] != "UNDECLARED"],
                         ids=[f"{c[1]}={c[2]}" for c in CASES if c[2] != "UNDECLARED"])
def test_a_bad_value_is_one_line_before_anything_is_written(workdir, cli, context, key, value):
    status, _, err = cli([*context, f"{key}={value}"], workdir, cli_env(workdir))
    assert status == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xner: error: ") and key in lines[0], err
    assert "Traceback" not in err
    assert not (workdir / "outputs").exists() and not (workdir / "multirun").exists()
    assert not (workdir / "cache").exists()
