"""NER-model experiments: `supervised` (train on gold target train, test on gold target test)."""

from __future__ import annotations

import logging

from omegaconf import DictConfig, OmegaConf

from xner.data.conll import ConllReadStats
from xner.errors import ConfigError
from xner.eval.ner_metrics import evaluate_sentences
from xner.pipeline.context import RunContext
from xner.pipeline.stages import (
    as_dict,
    read_corpus,
    resolve_corpus_file,
)

log = logging.getLogger(__name__)


def _split(cfg: DictConfig, split: str, stats: ConllReadStats):
    sentences = read_corpus(resolve_corpus_file(OmegaConf.merge(cfg.data.target, {"split": split}), cfg), cfg, stats)
    return sentences[: cfg.data.max_sentences] if cfg.data.max_sentences and split == "train" else sentences


def supervised(cfg: DictConfig, ctx: RunContext) -> dict[str, float]:
    from xner.models.training import predict, train_tagger

    if "encoder" not in cfg.model:
        raise ConfigError("experiment=supervised needs a NER model (model=tagger)")
    read_stats = ConllReadStats()
    train, dev, test = (_split(cfg, split, read_stats) for split in ("train", "dev", "test"))
    ctx.log_metrics({"data/train_sentences": len(train), "data/dev_sentences": len(dev), "data/test_sentences": len(test),
                     "data/repaired_tags": read_stats.repaired_tags})
    model_cfg = as_dict(cfg.model)
    model, stats = train_tagger(model_cfg, as_dict(cfg.trainer), list(cfg.data.labels.keep),
                                train, dev, ctx.output_dir, seed=cfg.seed, models_dir=cfg.paths.models_dir)
    ctx.log_metrics(stats)
    predictions = predict(model, test, model_cfg["max_length"])
    ctx.log_metrics({f"test/{k}": v for k, v in evaluate_sentences(test, predictions).items()})
    return ctx.metrics
