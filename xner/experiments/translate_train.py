"""Translate-train data transfer: label-bearing source sentences (e.g. CoNLL-2003 English) are
translated into the target language and their entities projected, by word alignment (heuristic or
candidate matching) or by markers (EasyProject-style); the projected corpus is the stage artifact a
target NER model trains on."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal, Sequence


from xner.data.conll import read_conll, write_conll
from xner.io import file_sha256
from xner.runtime.artifacts import load_marked, load_words, save_marked, save_words
from xner.options import Fraction
from xner.runtime.context import RunContext
from xner.runtime.schemas import ExperimentOptions
from xner.stages.corpus import as_dict, read_corpus, resolve_corpus_file
from xner.stages.projection import align_stage, log_rate, project_stage
from xner.translate.markers import translate_with_markers

log = logging.getLogger(__name__)
Method = Literal["alignment", "markers"]


@dataclass
class MarkerOptions:
    symbols: Sequence[str]
    fuzzy_threshold: Fraction


@dataclass
class Options(ExperimentOptions):
    """Translate-train: project by alignment or by EasyProject-style markers."""

    projection_method: Method
    markers: MarkerOptions


def run(ctx: RunContext) -> dict[str, float]:
    cfg = ctx.cfg
    method = str(cfg.experiment.projection_method)
    source_path = resolve_corpus_file(cfg, cfg.data.source)
    source = read_corpus(cfg, source_path)
    if cfg.data.max_sentences:
        source = source[: cfg.data.max_sentences]
    source_entities = sum(len(s.spans) for s in source)
    ctx.log_metrics({"data/sentences": len(source), "data/source_entities": source_entities})
    words_key = {"source": file_sha256(source_path), "max_sentences": cfg.data.max_sentences,
                 "labels": as_dict(cfg.data.labels)}
    translator_cfg = as_dict(cfg.translator)
    translator = ctx.build("translator")
    if method == "alignment":
        aligner, projector = ctx.build("aligner"), ctx.build("projector")

    if method == "markers":
        markers = cfg.experiment.markers
        opening, closing = markers.symbols
        marked = ctx.stage("translate_markers", {"translator": translator_cfg, "words": words_key, "markers": as_dict(markers)},
                           lambda: translate_with_markers(translator, source, opening, closing, markers.fuzzy_threshold),
                           save_marked, load_marked, ".jsonl")
        projected, stats = marked.value
        ctx.log_metrics({"markers/by_markers": stats.by_markers, "markers/by_fuzzy_match": stats.by_fuzzy_match,
                         "markers/lost": stats.lost})
        log_rate(ctx, "translate/sentences_per_second", len(source), marked)
        artifact = ctx.stage("project", {"marked": marked.ref}, lambda: projected,
                             lambda value, path: write_conll(path, value), read_conll, ".conll")
    else:
        translation = ctx.stage("translate", {"translator": translator_cfg, "words": words_key},
                                lambda: translator.translate([s.tokens for s in source]), save_words, load_words, ".jsonl")
        log_rate(ctx, "translate/sentences_per_second", len(source), translation)
        targets = translation.value
        alignment = align_stage(ctx, aligner, {"translation": translation.ref}, [s.tokens for s in source], targets)
        artifact = project_stage(ctx, projector, {"alignment": alignment.ref}, source, targets, alignment.value)
    projected_entities = sum(len(s.spans) for s in artifact.value)
    ctx.log_metrics({"projection/projected_entities": projected_entities,
                     "projection/projected_share": projected_entities / source_entities if source_entities else 0.0})
    log.info("projected training data for the target NER model: %s", artifact.path)
    return ctx.metrics
