"""Translate-test (the reference paper's evaluation): translate the target test sentences into the
source language, label them with a source-language NER model, align, project the labels back onto
the original target words and score them against gold. No target model is trained."""

from __future__ import annotations

import logging

from omegaconf import DictConfig, OmegaConf

from xner.align.base import read_pharaoh, write_pharaoh
from xner.data.conll import ConllReadStats, read_conll, write_conll
from xner.data.labels import LabelMap
from xner.data.tokenize import repair_mojibake
from xner.eval.ner_metrics import evaluate_sentences
from xner.io import file_sha256
from xner.pipeline.artifacts import load_words, save_words
from xner.pipeline.components import build
from xner.pipeline.context import RunContext
from xner.pipeline.intrinsic import resolve_corpus_file
from xner.project.base import ProjectionStats

log = logging.getLogger(__name__)


def translate_test(cfg: DictConfig, ctx: RunContext) -> dict[str, float]:
    target_path = resolve_corpus_file(cfg.data.target, cfg)
    label_map = LabelMap.from_config(cfg.data.labels.keep, cfg.data.labels.get("rename"))
    gold = label_map.map_corpus(read_conll(target_path, cfg.data.repair_iob, ConllReadStats()))
    if cfg.data.max_sentences:
        gold = gold[: cfg.data.max_sentences]
    ctx.log_metrics({"data/sentences": len(gold), "data/gold_entities": sum(len(s.spans) for s in gold)})
    words_key = {"target": file_sha256(target_path), "max_sentences": cfg.data.max_sentences}
    as_dict = lambda node: OmegaConf.to_container(node, resolve=True)  # noqa: E731
    translator, labeller = build(cfg.translator, "translator"), build(cfg.labeller, "labeller")
    aligner, projector = build(cfg.aligner, "aligner"), build(cfg.projector, "projector")

    fix = bool(cfg.data.get("fix_mojibake", False))  # repairs the MT input only; gold words are scored as they are
    inputs = [[repair_mojibake(w) for w in s.tokens] if fix else list(s.tokens) for s in gold]
    translation = ctx.stage("translate", {"translator": as_dict(cfg.translator), "words": words_key, "fix_mojibake": fix},
                            lambda: translator.translate(inputs), save_words, load_words, ".jsonl")
    if not translation.cache_hit:
        ctx.log_metrics({"translate/sentences_per_second": len(gold) / max(translation.seconds, 1e-9)})
    labelled = ctx.stage("label", {"labeller": as_dict(cfg.labeller), "translation": translation.key},
                         lambda: label_map.map_corpus(labeller.label(translation.value)),
                         lambda value, path: write_conll(path, value), read_conll, ".conll")
    alignment = ctx.stage("align", {"aligner": as_dict(cfg.aligner), "translation": translation.key},
                          lambda: aligner.align([s.tokens for s in labelled.value], [g.tokens for g in gold]),
                          lambda value, path: write_pharaoh(path, value), read_pharaoh, ".align")
    stats = ProjectionStats()
    projection = ctx.stage("project", {"projector": as_dict(cfg.projector), "alignment": alignment.key, "labels": labelled.key},
                           lambda: projector.project_corpus(labelled.value, [g.tokens for g in gold], alignment.value, stats),
                           lambda value, path: write_conll(path, value), read_conll, ".conll")
    if not projection.cache_hit:
        ctx.log_metrics({f"projection/{name}": value for name, value in stats.extra.items()})
    labelled_entities = sum(len(s.spans) for s in labelled.value)
    projected_entities = sum(len(s.spans) for s in projection.value)
    metrics = {f"test/{k}": v for k, v in evaluate_sentences(gold, projection.value).items()}
    metrics["label/source_entities"] = labelled_entities
    metrics["projection/projected_share"] = projected_entities / labelled_entities if labelled_entities else 0.0
    ctx.log_metrics(metrics)
    log.info("projected test labels: %s", projection.path)
    return ctx.metrics
