"""Data transfer by annotation projection: label the source side of parallel text (or of its
translation), align, project, train on the projected target side (selected on a held-out slice of it,
no target gold) and test on the gold target test split."""

from __future__ import annotations

from xner.runtime.context import RunContext
from xner.stages.corpus import corpus_split
from xner.stages.ner import evaluate_model, require_model, train_stage
from xner.stages.projection import build_projection, hold_out, parallel_words, project_parallel

check = require_model


def run(ctx: RunContext) -> dict[str, float]:
    cfg = ctx.cfg
    components = build_projection(ctx)
    test, _ = corpus_split(cfg, cfg.data.target, "test")
    sources, references, words_key = parallel_words(cfg)
    ctx.log_metrics({"data/parallel_sentences": len(sources), "data/test_sentences": len(test)})
    projected = project_parallel(ctx, components, sources, references, words_key)
    n_train = hold_out(cfg, projected.value)
    train, dev = list(projected.value[:n_train]), list(projected.value[n_train:])
    ctx.log_metrics({"data/train_sentences": len(train), "data/dev_sentences": len(dev)})
    model = train_stage(ctx, "train", train, dev, {"projected": projected.ref, "dev_sentences": len(dev)})
    evaluate_model(ctx, model.value, dev, "dev")  # the held-out projected sentences
    evaluate_model(ctx, model.value, test, "test")
    return ctx.metrics
