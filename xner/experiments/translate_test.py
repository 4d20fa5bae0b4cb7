"""Translate-test (the reference paper's evaluation): translate the target test sentences into the
source language, label them with a source-language NER model, align, project the labels back onto
the original target words and score them against gold. No target model is trained."""

from __future__ import annotations

import logging

from xner.data.conll import read_conll, write_conll
from xner.data.tokenize import repair_mojibake
from xner.eval.ner_metrics import evaluate_sentences
from xner.io import file_sha256
from xner.runtime.artifacts import load_words, save_words
from xner.runtime.context import RunContext
from xner.stages.corpus import as_dict, map_labels, read_corpus, resolve_corpus_file
from xner.stages.ner import build_labeller
from xner.stages.projection import align_stage, log_rate, project_stage

log = logging.getLogger(__name__)


def run(ctx: RunContext) -> dict[str, float]:
    cfg = ctx.cfg
    target_path = resolve_corpus_file(cfg, cfg.data.target)
    gold = read_corpus(cfg, target_path)
    if cfg.data.max_sentences:
        gold = gold[: cfg.data.max_sentences]
    ctx.log_metrics({"data/sentences": len(gold), "data/gold_entities": sum(len(s.spans) for s in gold)})
    words_key = {"target": file_sha256(target_path), "max_sentences": cfg.data.max_sentences}
    translator = ctx.build("translator")
    aligner, projector = ctx.build("aligner"), ctx.build("projector")
    labeller, labeller_key = build_labeller(ctx)

    fix = bool(cfg.data.get("fix_mojibake", False))  # repairs the MT input only; gold words are scored as they are
    inputs = [[repair_mojibake(w) for w in s.tokens] if fix else list(s.tokens) for s in gold]
    translation = ctx.stage("translate", {"translator": as_dict(cfg.translator), "words": words_key, "fix_mojibake": fix},
                            lambda: translator.translate(inputs), save_words, load_words, ".jsonl")
    log_rate(ctx, "translate/sentences_per_second", len(gold), translation)
    labelled = ctx.stage("label", {"labeller": labeller_key, "translation": translation.ref},
                         lambda: map_labels(cfg, labeller.label(translation.value), "the labeller's output"),
                         lambda value, path: write_conll(path, value), read_conll, ".conll")
    alignment = align_stage(ctx, aligner, {"translation": translation.ref}, [s.tokens for s in labelled.value],
                            [g.tokens for g in gold])
    projection = project_stage(ctx, projector, {"alignment": alignment.ref, "labels": labelled.ref}, labelled.value,
                               [g.tokens for g in gold], alignment.value)
    labelled_entities = sum(len(s.spans) for s in labelled.value)
    projected_entities = sum(len(s.spans) for s in projection.value)
    metrics = {f"test/{k}": v for k, v in evaluate_sentences(gold, projection.value).items()}
    metrics["label/source_entities"] = labelled_entities
    metrics["projection/projected_share"] = projected_entities / labelled_entities if labelled_entities else 0.0
    ctx.log_metrics(metrics)
    log.info("projected test labels: %s", projection.path)
    return ctx.metrics
