"""Check a composed config before any stage runs, so a typo fails in a second with the valid choices
instead of after an hour of translation and alignment."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Callable, Mapping

from omegaconf import DictConfig, ListConfig, OmegaConf

from xner.errors import ConfigError
from xner.runtime.targets import check_config_targets, raw, resolve_target

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"
Check = Callable[[DictConfig], Any]
COMPONENT_GROUPS = ("translator", "back_translator", "labeller", "aligner", "projector")
MODEL_KEYS = {"name", "encoder", "head", "learning_rate", "head_learning_rate", "weight_decay", "warmup_ratio", "dropout",
              "freeze_embeddings", "frozen_layers", "state_cache", "batch_size", "max_length", "long_sentences", "gradient_clip", "early_stopping_patience",
              "min_dev_entities"}


def group_choices(group: str) -> list[str]:
    """The presets of a config group (`projector/candidates` -> aligned, ner, ngrams, union)."""
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml") if not p.stem.startswith("_"))


def _allows_none(parameter: inspect.Parameter) -> bool:
    annotation = parameter.annotation
    return annotation is inspect.Parameter.empty or "None" in str(annotation) or "Optional" in str(annotation)


def check_component(node: Any, where: str) -> None:
    """A `_target_` node: the class exists, every option is one of its parameters, required ones are
    set; nested component nodes (candidates, scorer, scorers.*) are checked too."""
    if isinstance(node, (DictConfig, dict)) and "_target_" in node:
        target = resolve_target(raw(node, "_target_"), where)
        parameters = inspect.signature(target).parameters
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
        valid = [name for name, p in parameters.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        keys = [str(k) for k in node.keys() if not str(k).startswith("_")]
        for key in keys:
            if key not in parameters and not takes_any:
                raise ConfigError(f"{where}: unknown option '{key}' for {target.__name__}", valid)
        for name, parameter in parameters.items():
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            if name in keys and isinstance(node, DictConfig) and OmegaConf.is_missing(node, name):
                raise ConfigError(f"config value '{where}.{name}' must be set (e.g. {where}.{name}=...)")
            value = node.get(name, inspect.Parameter.empty) if name in keys else inspect.Parameter.empty
            missing = value is inspect.Parameter.empty and parameter.default is inspect.Parameter.empty
            if missing or (value is None and parameter.default is inspect.Parameter.empty and not _allows_none(parameter)):
                group = f"{where.replace('.', '/')}/{name}"
                choices = group_choices(group)
                hint = f" (choose {group}=...)" if choices else f" (set {where}.{name}=...)"
                raise ConfigError(f"{where}: {target.__name__} needs '{name}'{hint}", choices or None)
    if isinstance(node, (DictConfig, dict)):
        for key in node.keys():
            child = node.get(key)
            if isinstance(child, (DictConfig, dict, ListConfig, list)):
                check_component(child, f"{where}.{key}")
    elif isinstance(node, (ListConfig, list)):
        for index, child in enumerate(node):
            check_component(child, f"{where}[{index}]")


def check_trainer(trainer: DictConfig) -> None:
    import pytorch_lightning as pl

    valid = set(inspect.signature(pl.Trainer).parameters) - {"callbacks", "logger", "default_root_dir"}
    for key in trainer.keys():
        if str(key) not in valid:
            raise ConfigError(f"trainer: unknown option '{key}' for the Lightning Trainer", sorted(valid))


def _whole(value: Any, least: int) -> bool:
    """A whole number (not a bool) of at least `least`."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def check_model(model: DictConfig, where: str = "model") -> None:
    if model.get("name") in (None, "none"):
        return
    for key in model.keys():
        if str(key) not in MODEL_KEYS:
            raise ConfigError(f"{where}: unknown option '{key}'", sorted(MODEL_KEYS))
    if model.get("head") not in ("linear", "crf"):
        raise ConfigError(f"{where}.head: unknown head '{model.get('head')}'", ["crf", "linear"])
    if model.get("long_sentences", "split") not in ("split", "truncate"):
        raise ConfigError(f"{where}.long_sentences: unknown choice '{model.get('long_sentences')}'", ["split", "truncate"])
    if not _whole(model.get("min_dev_entities", 0), 0):
        raise ConfigError(f"{where}.min_dev_entities: expected a whole number >= 0, got '{model.get('min_dev_entities')}'")
    frozen = model.get("frozen_layers", 0)
    if not _whole(frozen, 0):
        raise ConfigError(f"{where}.frozen_layers: expected a whole number of layers >= 0, got '{frozen}'")


def check_datasets(node: Any, where: str) -> None:
    """Every `{dataset: ..., lang/split/pair: ...}` node names a registered corpus and valid fields."""
    from xner.data.registry import get_dataset

    if isinstance(node, DictConfig):
        if "dataset" in node and node.get("dataset") is None:
            raise ConfigError(f"{where}: no dataset (the language has no gold NER corpus in lang.ner); name one, e.g. "
                              f"{where}.dataset=panx {where}.lang=<ISO 639-3 code>")
        if "dataset" in node and isinstance(node.get("dataset"), str):
            spec = get_dataset(node.dataset)
            for field, allowed in spec.fields.items():
                values = str(node.get(field)).split("+") if field in node and node.get(field) is not None else []
                if any(value not in allowed for value in values):  # `split: dev+test` reads both, in order
                    raise ConfigError(f"{where}: dataset '{spec.name}' has no {field} '{node.get(field)}'", list(allowed))
        for key in node.keys():
            check_datasets(node.get(key), f"{where}.{key}")


def check_counts(cfg: DictConfig) -> None:
    """Sentence caps are positive whole numbers (or null); `data.dev_sentences` is a count or a fraction below 1."""
    for key in ("data.max_sentences", "source_model.max_sentences", "source_model.max_dev_sentences"):
        value = OmegaConf.select(cfg, key)
        if value is not None and not _whole(value, 1):
            raise ConfigError(f"{key} must be a positive whole number or null, got {value!r}")
    dev = OmegaConf.select(cfg, "data.dev_sentences")
    if dev is not None and (isinstance(dev, bool) or not isinstance(dev, (int, float)) or dev < 0
                            or (isinstance(dev, float) and dev >= 1 and not dev.is_integer())):
        raise ConfigError(f"data.dev_sentences must be a count (0, 1, 2, ...) or a fraction below 1, got {dev!r}")


def validate(cfg: DictConfig, checks: Mapping[str, Check | None]) -> None:
    """Raise ConfigError on the first problem; resolves interpolations (a missing value fails here too).
    `checks` maps each pipeline to its own extra check (or None), supplied by the experiments layer."""
    check_config_targets(cfg)  # before anything is resolved or imported
    pipeline = OmegaConf.select(cfg, "experiment.pipeline")
    if pipeline not in checks:
        raise ConfigError(f"unknown pipeline '{pipeline}' (set experiment=...)", list(checks))
    for group in ("paths", "data", "model", "trainer", "experiment"):
        if cfg.get(group) is not None:
            OmegaConf.to_container(cfg[group], resolve=True, throw_on_missing=True)
    check_counts(cfg)
    threads = cfg.get("threads")
    if threads is not None and not _whole(threads, 1):
        raise ConfigError(f"threads: expected a whole number >= 1 or null, got '{threads}'")
    try:
        check_datasets(cfg.data, "data")
    except ConfigError as error:
        hint = (f" for experiment={OmegaConf.select(cfg, 'experiment.name')}; name an experiment that fits "
                f"lang={OmegaConf.select(cfg, 'lang.code')} (see --help)")
        raise ConfigError(error.problem + hint, error.choices) from None
    for group in COMPONENT_GROUPS:
        node = cfg.get(group)
        if node is not None:
            check_component(node, group)
    trains = OmegaConf.select(cfg, "model.name") not in (None, "none")
    if cfg.get("trainer") is not None and trains:  # (importing Lightning to check costs seconds; only when it trains)
        check_trainer(cfg.trainer)
    if cfg.get("model") is not None:
        check_model(cfg.model)
        overrides = OmegaConf.select(cfg, "source_model.model")
        if overrides and trains:  # the source model's own options, over the model group (already checked)
            merged = OmegaConf.merge(OmegaConf.create(OmegaConf.to_container(cfg.model, resolve=True)), overrides)
            check_model(merged, "source_model.model")  # (a plain copy: the struct-mode model rejects new keys)
    corpora = OmegaConf.select(cfg, "source_model.corpora") or {}
    source_lang = OmegaConf.select(cfg, "source_model.lang")
    if source_lang is not None and str(source_lang) not in corpora:
        raise ConfigError(f"source_model.lang: no labelled NER corpus for '{source_lang}'", list(corpora))
    check = checks[pipeline]
    if check is not None:
        check(cfg)
