"""Translate-train data transfer: label-bearing source sentences (e.g. CoNLL-2003 English) are
translated into the target language and their entities projected, by word alignment (heuristic or
candidate matching) or by markers (EasyProject-style); the projected corpus is the stage artifact a
target NER model trains on."""

from __future__ import annotations

import logging

from omegaconf import DictConfig

from xner.data.conll import read_conll, write_conll
from xner.errors import ConfigError
from xner.io import file_sha256
from xner.pipeline.artifacts import load_marked, load_words, save_marked, save_words
from xner.pipeline.components import build
from xner.pipeline.context import RunContext
from xner.pipeline.stages import (
    align_stage,
    as_dict,
    log_rate,
    project_stage,
    read_corpus,
    resolve_corpus_file,
)
from xner.translate.markers import translate_with_markers

log = logging.getLogger(__name__)
METHODS = ("alignment", "markers")


def translate_train(cfg: DictConfig, ctx: RunContext) -> dict[str, float]:
    method = str(cfg.projection_method)
    if method not in METHODS:
        raise ConfigError(f"unknown projection_method '{method}'", list(METHODS))
    source_path = resolve_corpus_file(cfg.data.source, cfg)
    source = read_corpus(source_path, cfg)
    if cfg.data.max_sentences:
        source = source[: cfg.data.max_sentences]
    source_entities = sum(len(s.spans) for s in source)
    ctx.log_metrics({"data/sentences": len(source), "data/source_entities": source_entities})
    words_key = {"source": file_sha256(source_path), "max_sentences": cfg.data.max_sentences,
                 "labels": as_dict(cfg.data.labels)}
    translator_cfg = as_dict(cfg.translator)
    translator = build(cfg.translator, "translator")
    if method == "alignment":
        aligner, projector = build(cfg.aligner, "aligner"), build(cfg.projector, "projector")

    if method == "markers":
        opening, closing = cfg.markers.symbols
        marked = ctx.stage("translate_markers", {"translator": translator_cfg, "words": words_key,
                                                 "markers": as_dict(cfg.markers)},
                           lambda: translate_with_markers(translator, source, opening, closing, cfg.markers.fuzzy_threshold),
                           save_marked, load_marked, ".jsonl")
        projected, stats = marked.value
        ctx.log_metrics({"markers/by_markers": stats.by_markers, "markers/by_fuzzy_match": stats.by_fuzzy_match,
                         "markers/lost": stats.lost})
        log_rate(ctx, "translate/sentences_per_second", len(source), marked)
        artifact = ctx.stage("project", {"marked": marked.key}, lambda: projected,
                             lambda value, path: write_conll(path, value), read_conll, ".conll")
    else:
        translation = ctx.stage("translate", {"translator": translator_cfg, "words": words_key},
                                lambda: translator.translate([s.tokens for s in source]), save_words, load_words, ".jsonl")
        log_rate(ctx, "translate/sentences_per_second", len(source), translation)
        targets = translation.value
        alignment = align_stage(ctx, cfg, aligner, {"translation": translation.key}, [s.tokens for s in source], targets)
        artifact = project_stage(ctx, cfg, projector, {"alignment": alignment.key}, source, targets, alignment.value)
    projected_entities = sum(len(s.spans) for s in artifact.value)
    ctx.log_metrics({"projection/projected_entities": projected_entities,
                     "projection/projected_share": projected_entities / source_entities if source_entities else 0.0})
    log.info("projected training data for the target NER model: %s", artifact.path)
    return ctx.metrics
