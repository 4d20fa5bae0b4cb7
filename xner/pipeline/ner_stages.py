"""NER-model stages shared by the experiments: train (or reuse) a tagger, the source-language model
that labels source text, and scoring a model on a gold split (predictions written beside the run)."""

from __future__ import annotations

import logging
import time
from typing import Sequence

from omegaconf import DictConfig, OmegaConf

from xner.data.conll import write_conll
from xner.data.records import Sentence
from xner.errors import ConfigError
from xner.eval.ner_metrics import evaluate_sentences
from xner.io import file_sha256
from xner.pipeline.cache import StageResult
from xner.pipeline.context import RunContext
from xner.pipeline.stages import as_dict, read_corpus, resolve_corpus_file

log = logging.getLogger(__name__)
EXECUTION_ONLY = ("enable_progress_bar",)


def require_model(cfg: DictConfig, experiment: str) -> None:
    if "encoder" not in cfg.model:
        raise ConfigError(f"experiment={experiment} needs a NER model (model=tagger)")


def corpus_split(cfg: DictConfig, node: DictConfig, split: str, limit: int | None = None) -> tuple[list[Sentence], dict]:
    """A split of a registered labelled corpus (at most `limit` sentences) and its cache-key material."""
    path = resolve_corpus_file(OmegaConf.create({**as_dict(node), "split": split}), cfg)
    sentences = read_corpus(path, cfg)
    return sentences[:limit] if limit else sentences, {"file": file_sha256(path), "limit": limit}


def train_stage(ctx: RunContext, cfg: DictConfig, name: str, train: Sequence[Sentence], dev: Sequence[Sentence],
                data_key: dict, metric_prefix: str = "", soft_labels=None) -> StageResult:
    """Train a tagger on `train` (selecting on `dev`) or reuse the cached one; logs its training figures.
    With `soft_labels` (teacher-student) `data_key` must identify them."""
    from xner.models.training import load_tagger, save_tagger, train_tagger

    trainer_key = {k: v for k, v in as_dict(cfg.trainer).items() if k not in EXECUTION_ONLY}
    key = {"model": as_dict(cfg.model), "trainer": trainer_key, "seed": cfg.seed, "labels": as_dict(cfg.data.labels), **data_key}
    models_dir = cfg.paths.models_dir
    result = ctx.stage(name, key,
                       lambda: train_tagger(as_dict(cfg.model), as_dict(cfg.trainer), list(cfg.data.labels.keep), train, dev,
                                            ctx.output_dir / name, seed=cfg.seed, models_dir=models_dir,
                                            train_soft_labels=soft_labels)[0],
                       save_tagger, lambda path: load_tagger(path, models_dir), ".pt")
    ctx.log_metrics({f"{metric_prefix}{k}": v for k, v in result.value.train_stats.items()})
    log.info("%s model: %s", name, result.path)
    return result


def source_language(cfg: DictConfig) -> str:
    """The labelled source language: `source_model.lang`, else the source side of the MAFAND pair, else en."""
    pair = OmegaConf.select(cfg, "lang.mafand_pair")
    return str(OmegaConf.select(cfg, "source_model.lang") or (str(pair).split("-")[0] if pair else "en"))


def source_model_stage(ctx: RunContext, cfg: DictConfig, lang: str | None = None, metric_prefix: str = "source/") -> StageResult:
    """The source-language NER model (e.g. CoNLL-2003 English), trained on its train split and
    selected on its dev split; the same cached model serves model transfer, source labelling and
    teacher-student learning."""
    lang = lang or source_language(cfg)
    corpora = cfg.source_model.corpora
    if lang not in corpora:
        raise ConfigError(f"no labelled NER corpus for source language '{lang}' (source_model.corpora)", list(corpora))
    train, train_key = corpus_split(cfg, corpora[lang], "train", cfg.source_model.max_sentences)
    dev, dev_key = corpus_split(cfg, corpora[lang], "dev")
    ctx.log_metrics({f"data/{metric_prefix}train_sentences": len(train), f"data/{metric_prefix}dev_sentences": len(dev)})
    return train_stage(ctx, cfg, "train_source", train, dev, {"source_lang": lang, "source_train": train_key, "source_dev": dev_key},
                       metric_prefix=metric_prefix)


def needs_source_model(cfg: DictConfig) -> bool:
    """labeller=tagger without a checkpoint: this run trains the source model first."""
    return "checkpoint" in cfg.labeller and not cfg.labeller.checkpoint


def build_labeller(ctx: RunContext, cfg: DictConfig):
    """(labeller, cache-key material): spaCy, a given model file, or the source model trained here."""
    from xner.pipeline.components import build

    if not needs_source_model(cfg):
        return build(cfg.labeller, "labeller"), as_dict(cfg.labeller)
    from xner.models.labeller import TaggerLabeller

    model = source_model_stage(ctx, cfg)
    options = {k: v for k, v in as_dict(cfg.labeller).items() if k in ("max_length", "batch_size", "device")}
    return TaggerLabeller(model=model.value, **options), {"source_model": model.key}


def evaluate_model(ctx: RunContext, cfg: DictConfig, model, gold: Sequence[Sentence], split: str) -> dict[str, float]:
    """Score `model` on gold sentences (per type and overall) and write its predictions as CoNLL."""
    from xner.models.training import predict

    started = time.perf_counter()
    split_stats: dict[str, float] = {}
    predictions = predict(model, gold, cfg.model.max_length, cfg.model.batch_size, stats=split_stats)
    seconds = time.perf_counter() - started
    path = ctx.output_dir / f"{split}_predictions.conll"
    write_conll(path, predictions)
    metrics = {f"{split}/{k}": v for k, v in evaluate_sentences(gold, predictions).items()}
    metrics[f"{split}/sentences_per_second"] = len(gold) / max(seconds, 1e-9)
    metrics[f"{split}/split_sentences"] = split_stats["split_sentences"]  # longer than model.max_length
    ctx.log_metrics(metrics)
    log.info("%s F1 %.4f; predictions: %s", split, metrics[f"{split}/f1"], path)
    return metrics
