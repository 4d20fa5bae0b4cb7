"""Translate-train data transfer: label-bearing source sentences (e.g. CoNLL-2003 English) are
translated into the target language and their entities projected, by word alignment (heuristic or
candidate matching) or by markers (EasyProject-style); the projected corpus is the stage artifact a
target NER model trains on."""

from __future__ import annotations

import logging

from omegaconf import DictConfig, OmegaConf

from xner.align.base import read_pharaoh, write_pharaoh
from xner.data.conll import ConllReadStats, read_conll, write_conll
from xner.data.labels import LabelMap
from xner.errors import ConfigError
from xner.io import file_sha256
from xner.pipeline.artifacts import load_marked, load_words, save_marked, save_words
from xner.pipeline.components import build
from xner.pipeline.context import RunContext
from xner.pipeline.intrinsic import resolve_corpus_file
from xner.project.base import ProjectionStats
from xner.translate.markers import translate_with_markers

log = logging.getLogger(__name__)
METHODS = ("alignment", "markers")


def translate_train(cfg: DictConfig, ctx: RunContext) -> dict[str, float]:
    method = str(cfg.projection_method)
    if method not in METHODS:
        raise ConfigError(f"unknown projection_method '{method}'", list(METHODS))
    source_path = resolve_corpus_file(cfg.data.source, cfg)
    read_stats = ConllReadStats()
    label_map = LabelMap.from_config(cfg.data.labels.keep, cfg.data.labels.get("rename"))
    source = label_map.map_corpus(read_conll(source_path, cfg.data.repair_iob, read_stats))
    if cfg.data.max_sentences:
        source = source[: cfg.data.max_sentences]
    source_entities = sum(len(s.spans) for s in source)
    ctx.log_metrics({"data/sentences": len(source), "data/source_entities": source_entities})
    words_key = {"source": file_sha256(source_path), "max_sentences": cfg.data.max_sentences,
                 "labels": OmegaConf.to_container(cfg.data.labels, resolve=True)}
    translator_cfg = OmegaConf.to_container(cfg.translator, resolve=True)
    translator = build(cfg.translator, "translator")

    if method == "markers":
        opening, closing = cfg.markers.symbols
        marked = ctx.stage("translate_markers", {"translator": translator_cfg, "words": words_key,
                                                 "markers": OmegaConf.to_container(cfg.markers, resolve=True)},
                           lambda: translate_with_markers(translator, source, opening, closing, cfg.markers.fuzzy_threshold),
                           save_marked, load_marked, ".jsonl")
        projected, stats = marked.value
        ctx.log_metrics({"markers/by_markers": stats.by_markers, "markers/by_fuzzy_match": stats.by_fuzzy_match,
                         "markers/lost": stats.lost})
        if not marked.cache_hit:
            ctx.log_metrics({"translate/sentences_per_second": len(source) / max(marked.seconds, 1e-9)})
        artifact = ctx.stage("project", {"marked": marked.key}, lambda: projected,
                             lambda value, path: write_conll(path, value), read_conll, ".conll")
    else:
        translation = ctx.stage("translate", {"translator": translator_cfg, "words": words_key},
                                lambda: translator.translate([s.tokens for s in source]), save_words, load_words, ".jsonl")
        if not translation.cache_hit:
            ctx.log_metrics({"translate/sentences_per_second": len(source) / max(translation.seconds, 1e-9)})
        targets = translation.value
        aligner, projector = build(cfg.aligner, "aligner"), build(cfg.projector, "projector")
        alignment = ctx.stage("align", {"aligner": OmegaConf.to_container(cfg.aligner, resolve=True), "translation": translation.key},
                              lambda: aligner.align([s.tokens for s in source], targets),
                              lambda value, path: write_pharaoh(path, value), read_pharaoh, ".align")
        stats = ProjectionStats()
        artifact = ctx.stage("project", {"projector": OmegaConf.to_container(cfg.projector, resolve=True), "alignment": alignment.key},
                             lambda: projector.project_corpus(source, targets, alignment.value, stats),
                             lambda value, path: write_conll(path, value), read_conll, ".conll")
        if not artifact.cache_hit:
            ctx.log_metrics({f"projection/{name}": value for name, value in stats.extra.items()})
    projected_entities = sum(len(s.spans) for s in artifact.value)
    ctx.log_metrics({"projection/projected_entities": projected_entities,
                     "projection/projected_share": projected_entities / source_entities if source_entities else 0.0})
    log.info("projected training data for the target NER model: %s", artifact.path)
    return ctx.metrics
