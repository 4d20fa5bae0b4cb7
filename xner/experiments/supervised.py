"""Supervised upper bound: gold target train -> target test, selected on gold target dev."""

from __future__ import annotations

from xner.runtime.context import RunContext
from xner.stages.corpus import corpus_split
from xner.stages.ner import evaluate_model, require_model, train_stage

check = require_model


def run(ctx: RunContext) -> dict[str, float]:
    cfg = ctx.cfg
    train, train_key = corpus_split(cfg, cfg.data.target, "train", cfg.data.max_sentences)
    dev, dev_key = corpus_split(cfg, cfg.data.target, "dev")
    test, _ = corpus_split(cfg, cfg.data.target, "test")
    ctx.log_metrics({"data/train_sentences": len(train), "data/dev_sentences": len(dev), "data/test_sentences": len(test)})
    model = train_stage(ctx, "train", train, dev, {"train": train_key, "dev": dev_key})
    evaluate_model(ctx, model.value, dev, "dev")
    evaluate_model(ctx, model.value, test, "test")
    return ctx.metrics
