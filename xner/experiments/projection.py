"""Data transfer by annotation projection: label the source side of parallel text (or of its
translation), align, project, train on the projected target side (selected on a held-out slice of it,
no target gold) and test on the gold target test split."""

from __future__ import annotations

import random
from dataclasses import dataclass

from omegaconf import DictConfig

from xner.options import NonNegative
from xner.runtime.context import RunContext
from xner.runtime.schemas import ExperimentOptions
from xner.stages.corpus import corpus_split
from xner.stages.ner import evaluate_model, model_transfer_reference, require_model, source_language, target_gold, train_stage
from xner.stages.projection import build_projection, check_parallel, filter_options, filter_projected, hold_out, parallel_words, project_parallel_labelled


@dataclass
class Options(ExperimentOptions):
    """Projection: optional source-language gold beside the projected data ("+EN"), and a model-transfer reference."""

    source_gold_ratio: NonNegative
    model_transfer_reference: bool


def check(cfg: DictConfig) -> None:
    require_model(cfg)
    check_parallel(cfg)
    filter_options(cfg)  # checked before any stage runs


def source_gold(ctx: RunContext, n_projected: int) -> tuple[list, dict | None]:
    """`experiment.source_gold_ratio` x n_projected sentences of the source language's gold NER training data
    (a seeded sample) to train on beside the projection (the "+EN" setting); none at ratio 0."""
    cfg = ctx.cfg
    ratio = float(cfg.experiment.source_gold_ratio)
    if ratio <= 0:
        return [], None
    lang = source_language(cfg)
    gold, key = corpus_split(cfg, cfg.source_model.corpora[lang], "train")
    wanted = min(len(gold), round(ratio * n_projected))
    sample = random.Random(cfg.seed).sample(range(len(gold)), wanted)
    ctx.log_metrics({"data/source_gold_sentences": wanted})
    return [gold[i] for i in sorted(sample)], {"corpus": key, "lang": lang, "sentences": wanted, "seed": cfg.seed}


def run(ctx: RunContext) -> dict[str, float]:
    cfg = ctx.cfg
    components = build_projection(ctx)
    test, test_key, scored = target_gold(cfg)
    sources, references, words_key = parallel_words(cfg, ctx.log_metrics)
    ctx.log_metrics({"data/parallel_sentences": len(sources), f"data/{scored}_sentences": len(test)})
    labelled, projected = project_parallel_labelled(ctx, components, sources, references, words_key)
    sentences, filter_key = filter_projected(cfg, labelled, projected.value, ctx.log_metrics)
    n_train = hold_out(cfg, sentences)
    train, dev = sentences[:n_train], sentences[n_train:]
    extra, extra_key = source_gold(ctx, len(train))
    ctx.log_metrics({"data/train_sentences": len(train) + len(extra), "data/dev_sentences": len(dev)})
    data_key = {"projected": projected.ref, "dev_sentences": len(dev)}
    if extra_key:  # (keys without source gold stay as they were)
        data_key["source_gold"] = extra_key
    if filter_key:  # (likewise without a filter)
        data_key["filter"] = filter_key
    model = train_stage(ctx, "train", train + extra, dev, data_key)
    evaluate_model(ctx, model.value, dev, "dev")  # the held-out projected sentences
    evaluate_model(ctx, model.value, test, scored)
    if cfg.experiment.model_transfer_reference:
        model_transfer_reference(ctx, test, test_key)
    return ctx.metrics
