"""Fit a TokenTagger with Lightning (early stopping on dev F1, best checkpoint kept) and report costs."""

from __future__ import annotations

import logging
import resource
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

from xner.data.records import Sentence
from xner.models.tagger import TokenTagger
from xner.models.tagging_data import TaggingDataset, loader, tag_set

log = logging.getLogger(__name__)


def train_tagger(model_cfg: Mapping[str, Any], trainer_cfg: Mapping[str, Any], labels: Sequence[str], train: Sequence[Sentence],
                 dev: Sequence[Sentence], output_dir: str | Path, seed: int = 13, models_dir: str | None = None
                 ) -> tuple[TokenTagger, dict[str, float]]:
    """Train on `train`, select on `dev`; returns the best model and timing/memory figures."""
    import pytorch_lightning as pl
    from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint

    pl.seed_everything(seed, workers=True)
    model = TokenTagger(model_cfg["encoder"], tag_set(labels), learning_rate=model_cfg["learning_rate"],
                        weight_decay=model_cfg["weight_decay"], warmup_ratio=model_cfg["warmup_ratio"],
                        dropout=model_cfg["dropout"], freeze_embeddings=model_cfg["freeze_embeddings"], models_dir=models_dir)
    from transformers import AutoTokenizer

    from xner.models.encoder import resolve_model

    tokenizer = AutoTokenizer.from_pretrained(resolve_model(model_cfg["encoder"], models_dir))
    pad = tokenizer.pad_token_id or 0
    train_set = TaggingDataset(tokenizer, train, model.tags, model_cfg["max_length"])
    dev_set = TaggingDataset(tokenizer, dev, model.tags, model_cfg["max_length"])
    checkpoint = ModelCheckpoint(dirpath=Path(output_dir) / "checkpoints", monitor="dev/f1", mode="max", save_top_k=1,
                                 filename="best")
    callbacks = [checkpoint, EarlyStopping(monitor="dev/f1", mode="max", patience=model_cfg["early_stopping_patience"])]
    trainer = pl.Trainer(**dict(trainer_cfg), callbacks=callbacks, default_root_dir=str(output_dir), logger=False,
                         deterministic=True, gradient_clip_val=model_cfg["gradient_clip"])
    started = time.perf_counter()
    trainer.fit(model, loader(train_set, pad, model_cfg["batch_size"], True, seed), loader(dev_set, pad, model_cfg["batch_size"], False))
    seconds = time.perf_counter() - started
    if checkpoint.best_model_path:
        log.info("best checkpoint (dev F1 %.4f): %s", float(checkpoint.best_model_score or 0), checkpoint.best_model_path)
        model = TokenTagger.load_from_checkpoint(checkpoint.best_model_path, models_dir=models_dir)
    model.tokenizer = tokenizer
    stats = {"train/seconds": seconds, "train/examples_per_second": len(train_set) * max(trainer.current_epoch, 1) / seconds,
             "train/epochs": float(trainer.current_epoch), "train/peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
             "train/truncated_words": float(train_set.truncated_words),
             "dev/best_f1": float(checkpoint.best_model_score or 0.0)}
    return model, stats


def predict(model: TokenTagger, sentences: Sequence[Sentence], max_length: int, batch_size: int = 32) -> list[Sentence]:
    dataset = TaggingDataset(model.tokenizer, sentences, model.tags, max_length)
    return model.predict_sentences(sentences, dataset, batch_size)
