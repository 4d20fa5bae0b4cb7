"""Intrinsic projection quality: gold source entities projected onto the gold parallel target
sentence, scored with seqeval against the target's gold entities (e.g. Europarl en -> de/es/it)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal, Sequence

from omegaconf import DictConfig, OmegaConf

from xner.data.conll import ConllReadStats, write_conll
from xner.data.parallel import check_same_length
from xner.data.records import Sentence
from xner.errors import ConfigError
from xner.eval.ner_metrics import evaluate_sentences
from xner.io import file_sha256
from xner.runtime.artifacts import load_marked, load_words, save_marked, save_words
from xner.options import Fraction, Positive, Unchecked
from xner.runtime.context import RunContext
from xner.runtime.schemas import ExperimentOptions
from xner.stages.corpus import as_dict, corpus_split, read_corpus, resolve_corpus_file
from xner.stages.ner import evaluate_model, require_model, train_stage
from xner.stages.projection import align_stage, project_stage
from xner.translate.markers import MarkerStats, translate_with_markers

log = logging.getLogger(__name__)
Mode = Literal["src2tgt", "tgt2tgt"]


@dataclass
class Markers:
    markers: Sequence[str]
    fuzzy_threshold: Fraction


@dataclass
class Extrinsic:
    test: Unchecked
    dev_sentences: Positive


@dataclass
class Options(ExperimentOptions):
    """Europarl intrinsic projection: how source and target are aligned, and the optional extrinsic check."""

    alignment_mode: Mode
    extrinsic: Extrinsic | None
    tgt2tgt: Markers


def check(cfg: DictConfig) -> None:
    extrinsic = cfg.experiment.get("extrinsic")
    if extrinsic is not None:
        require_model(cfg)
        if not {"dataset", "lang"} <= set(extrinsic.get("test") or {}):
            raise ConfigError("experiment.extrinsic.test needs dataset and lang, e.g. {dataset: transfer, lang: de}")


def upper_bound(ctx: RunContext, projected: list[Sentence], gold: list[Sentence], projected_ref: dict, gold_key: dict) -> None:
    """Train one target model on the projected labels and one on the gold labels of the same target sentences (the last
    `dev_sentences` of each select it) and test both on `experiment.extrinsic.test`: the F1 lost to projection noise alone."""
    options = ctx.cfg.experiment.extrinsic
    test, _ = corpus_split(ctx.cfg, OmegaConf.create(as_dict(options.test)), "test")
    n_dev = int(options.dev_sentences)
    if n_dev >= len(gold):
        raise ConfigError(f"experiment.extrinsic.dev_sentences={n_dev} leaves no training data from {len(gold)} sentences")
    scores = {}
    for name, sentences, key in (("projected", projected, {"projected": projected_ref}), ("gold", gold, {"gold": gold_key})):
        model = train_stage(ctx, "train", sentences[:-n_dev], sentences[-n_dev:], {**key, "dev_sentences": n_dev}, metric_prefix=f"{name}/")
        scores[name] = evaluate_model(ctx, model.value, test, f"test_{name}")["test_" + name + "/f1"]
    ctx.log_metrics({"extrinsic/f1_lost_to_projection": scores["gold"] - scores["projected"]})


def back_translate_entities(ctx: RunContext, source: list[Sentence]) -> tuple[list[Sentence], MarkerStats]:
    """tgt2tgt: translate the marker-wrapped source into the target language and recover its entities."""
    options = ctx.cfg.experiment.tgt2tgt
    opening, closing = options.markers
    return translate_with_markers(ctx.build("back_translator"), source, opening, closing, options.fuzzy_threshold)


def run(ctx: RunContext) -> dict[str, float]:
    cfg = ctx.cfg
    source_path = resolve_corpus_file(cfg, cfg.data.source)
    target_path = resolve_corpus_file(cfg, cfg.data.target)
    read_stats = ConllReadStats()
    source = read_corpus(cfg, source_path, read_stats)
    gold = read_corpus(cfg, target_path, read_stats)
    check_same_length(source_path, len(source), target_path, len(gold), unit="sentences")
    if cfg.data.max_sentences:
        source, gold = source[: cfg.data.max_sentences], gold[: cfg.data.max_sentences]
    log.info("data: %d sentence pairs from %s and %s", len(source), source_path, target_path)
    ctx.log_metrics({"data/sentences": len(source), "data/repaired_tags": read_stats.repaired_tags,
                     "data/source_entities": sum(len(s.spans) for s in source)})

    words_key = {"source": file_sha256(source_path), "target": file_sha256(target_path), "max_sentences": cfg.data.max_sentences}
    translator, aligner, projector = ctx.build("translator"), ctx.build("aligner"), ctx.build("projector")

    translation = ctx.stage(
        "translate", {"translator": as_dict(cfg.translator), "words": words_key, "lang": cfg.lang.code},
        lambda: translator.translate([s.tokens for s in source], [g.tokens for g in gold]),
        save_words, load_words, ".jsonl",
    )
    targets = translation.value
    labels_cfg = as_dict(cfg.data.labels)
    if str(cfg.experiment.alignment_mode) == "src2tgt":
        projection_source, upstream = source, {"translation": translation.ref}
    else:
        marked = ctx.stage(
            "backtranslate", {"back_translator": as_dict(cfg.back_translator), "tgt2tgt": as_dict(cfg.experiment.tgt2tgt),
                              "words": words_key, "labels": labels_cfg},
            lambda: back_translate_entities(ctx, source), save_marked, load_marked, ".jsonl",
        )
        projection_source, stats = marked.value
        found = stats.by_markers + stats.by_fuzzy_match + stats.lost
        ctx.log_metrics({"tgt2tgt/markers_share": stats.by_markers / found if found else 0.0,
                         "tgt2tgt/fuzzy_share": stats.by_fuzzy_match / found if found else 0.0,
                         "tgt2tgt/lost_share": stats.lost / found if found else 0.0})
        upstream = {"translation": translation.ref, "backtranslation": marked.ref}
    alignment = align_stage(ctx, aligner, upstream, [s.tokens for s in projection_source], targets)
    projection = project_stage(ctx, projector, {"alignment": alignment.ref, "labels": labels_cfg}, projection_source, targets,
                               alignment.value)
    projected = projection.value
    source_entities = sum(len(s.spans) for s in source)
    projected_entities = sum(len(s.spans) for s in projected)
    metrics = {f"projection/{k}": v for k, v in evaluate_sentences(gold, projected).items()}
    metrics["projection/projected_entities"] = projected_entities
    metrics["projection/projected_share"] = projected_entities / source_entities if source_entities else 0.0
    ctx.log_metrics(metrics)
    write_conll(ctx.output_dir / "projection_predictions.conll", projected)  # paired bootstraps read these two
    write_conll(ctx.output_dir / "projection_gold.conll", gold)
    log.info("projected data: %s", projection.path)
    if cfg.experiment.get("extrinsic") is not None:
        upper_bound(ctx, list(projected), list(gold), projection.ref, {**words_key, "labels": labels_cfg})
    return ctx.metrics
