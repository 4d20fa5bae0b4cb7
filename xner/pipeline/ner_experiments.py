"""Experiments that train NER models and test them on gold target data:
- `supervised`: gold target train -> target test (upper bound);
- `model_transfer`: source-language gold (CoNLL-2003 English) -> target test, zero-shot;
- `projection`: label the source side of parallel text (or of its translation), align, project,
  train on the projected target side, test on gold target test (data transfer)."""

from __future__ import annotations

from omegaconf import DictConfig

from xner.pipeline.context import RunContext
from xner.pipeline.ner_stages import (
    corpus_split,
    evaluate_model,
    require_model,
    source_language,
    source_model_stage,
    train_stage,
)
from xner.pipeline.parallel_projection import (
    build_projection,
    hold_out,
    parallel_words,
    project_parallel,
)


def supervised(cfg: DictConfig, ctx: RunContext) -> dict[str, float]:
    require_model(cfg, "supervised")
    train, train_key = corpus_split(cfg, cfg.data.target, "train", cfg.data.max_sentences)
    dev, dev_key = corpus_split(cfg, cfg.data.target, "dev")
    test, _ = corpus_split(cfg, cfg.data.target, "test")
    ctx.log_metrics({"data/train_sentences": len(train), "data/dev_sentences": len(dev), "data/test_sentences": len(test)})
    model = train_stage(ctx, cfg, "train", train, dev, {"train": train_key, "dev": dev_key})
    evaluate_model(ctx, cfg, model.value, dev, "dev")
    evaluate_model(ctx, cfg, model.value, test, "test")
    return ctx.metrics


def model_transfer(cfg: DictConfig, ctx: RunContext) -> dict[str, float]:
    require_model(cfg, "model_transfer")
    test, _ = corpus_split(cfg, cfg.data.target, "test")
    ctx.log_metrics({"data/test_sentences": len(test)})
    model = source_model_stage(ctx, cfg)
    evaluate_model(ctx, cfg, model.value, corpus_split(cfg, cfg.source_model.corpora[source_language(cfg)], "dev")[0], "dev")
    evaluate_model(ctx, cfg, model.value, test, "test")
    return ctx.metrics


def projection(cfg: DictConfig, ctx: RunContext) -> dict[str, float]:
    """Data transfer by annotation projection, ending in a target model scored on gold target test."""
    require_model(cfg, "projection")
    components = build_projection(cfg, "projection")
    test, _ = corpus_split(cfg, cfg.data.target, "test")
    sources, references, words_key = parallel_words(cfg)
    ctx.log_metrics({"data/parallel_sentences": len(sources), "data/test_sentences": len(test)})
    projected = project_parallel(ctx, cfg, components, sources, references, words_key)
    n_train = hold_out(cfg, projected.value)
    train, dev = list(projected.value[:n_train]), list(projected.value[n_train:])
    ctx.log_metrics({"data/train_sentences": len(train), "data/dev_sentences": len(dev)})
    model = train_stage(ctx, cfg, "train", train, dev, {"projected": projected.key, "dev_sentences": len(dev)})
    evaluate_model(ctx, cfg, model.value, dev, "dev")  # the held-out projected sentences
    evaluate_model(ctx, cfg, model.value, test, "test")
    return ctx.metrics
