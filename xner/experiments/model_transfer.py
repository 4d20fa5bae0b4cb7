"""Model transfer (zero-shot): the source-language model (CoNLL-2003 English), selected on its own dev
split, tested on the target language's gold test set."""

from __future__ import annotations

from xner.runtime.context import RunContext
from xner.stages.corpus import corpus_split
from xner.stages.ner import evaluate_model, require_model, source_language, source_model_stage

check = require_model


def run(ctx: RunContext) -> dict[str, float]:
    cfg = ctx.cfg
    test, _ = corpus_split(cfg, cfg.data.target, "test")
    ctx.log_metrics({"data/test_sentences": len(test)})
    model = source_model_stage(ctx)
    evaluate_model(ctx, model.value, corpus_split(cfg, cfg.source_model.corpora[source_language(cfg)], "dev")[0], "dev")
    evaluate_model(ctx, model.value, test, "test")
    return ctx.metrics
