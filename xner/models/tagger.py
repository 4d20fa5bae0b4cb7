"""A LightningModule for word-level NER over any transformers encoder (linear head on the first subword)."""

from __future__ import annotations

from typing import Sequence

import pytorch_lightning as pl
import torch
from torch import nn

from xner.data.iob import repair_iob2, tags_to_spans
from xner.data.records import Sentence
from xner.eval.ner_metrics import evaluate_tags
from xner.models.tagging_data import IGNORE


class TokenTagger(pl.LightningModule):
    """Encoder + dropout + linear layer; AdamW with linear warm-up and decay; dev F1 on words."""

    def __init__(self, encoder: str, tags: Sequence[str], learning_rate: float = 5e-5, weight_decay: float = 0.01,
                 warmup_ratio: float = 0.1, dropout: float = 0.1, freeze_embeddings: bool = False, models_dir: str | None = None):
        super().__init__()
        from transformers import AutoModel

        from xner.models.encoder import resolve_model

        self.save_hyperparameters()
        self.tags = list(tags)
        self.encoder = AutoModel.from_pretrained(resolve_model(encoder, models_dir), add_pooling_layer=False)
        if freeze_embeddings:
            for parameter in self.encoder.get_input_embeddings().parameters():
                parameter.requires_grad = False
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.encoder.config.hidden_size, len(self.tags))
        self._dev_gold: list[list[str]] = []
        self._dev_pred: list[list[str]] = []

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(self.dropout(hidden))

    def _loss(self, batch) -> tuple[torch.Tensor, torch.Tensor]:
        logits = self(batch["input_ids"], batch["attention_mask"])
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), batch["labels"].flatten(), ignore_index=IGNORE)
        return loss, logits

    def training_step(self, batch, batch_index):
        loss, _ = self._loss(batch)
        self.log("train/loss", loss, prog_bar=True, batch_size=len(batch["input_ids"]))
        return loss

    def word_tags(self, logits: torch.Tensor, labels: torch.Tensor) -> tuple[list[list[str]], list[list[str]]]:
        """Gold and predicted tags at labelled (first-subword) positions, per sentence."""
        predicted = logits.argmax(-1)
        gold, pred = [], []
        for row in range(len(labels)):
            keep = labels[row] != IGNORE
            gold.append([self.tags[i] for i in labels[row][keep].tolist()])
            pred.append(repair_iob2([self.tags[i] for i in predicted[row][keep].tolist()])[0])
        return gold, pred

    def validation_step(self, batch, batch_index):
        loss, logits = self._loss(batch)
        self.log("dev/loss", loss, batch_size=len(batch["input_ids"]))
        gold, pred = self.word_tags(logits, batch["labels"])
        self._dev_gold += gold
        self._dev_pred += pred

    def on_validation_epoch_end(self):
        if self._dev_gold:
            self.log("dev/f1", evaluate_tags(self._dev_gold, self._dev_pred)["f1"], prog_bar=True)
        self._dev_gold, self._dev_pred = [], []

    def configure_optimizers(self):
        from transformers import get_linear_schedule_with_warmup

        decay = [p for n, p in self.named_parameters() if p.requires_grad and not any(k in n for k in ("bias", "LayerNorm"))]
        no_decay = [p for n, p in self.named_parameters() if p.requires_grad and any(k in n for k in ("bias", "LayerNorm"))]
        optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": self.hparams.weight_decay},
                                       {"params": no_decay, "weight_decay": 0.0}], lr=self.hparams.learning_rate)
        total = max(1, int(self.trainer.estimated_stepping_batches))
        scheduler = get_linear_schedule_with_warmup(optimizer, int(self.hparams.warmup_ratio * total), total)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}

    @torch.inference_mode()
    def predict_sentences(self, sentences: Sequence[Sentence], dataset, batch_size: int = 32) -> list[Sentence]:
        """Entity spans for `sentences` (their encoded `dataset`); truncated words get O."""
        from xner.models.tagging_data import collate

        self.eval()
        pad = self.encoder.config.pad_token_id or 0
        out = []
        for start in range(0, len(sentences), batch_size):
            items = [dataset[i] for i in range(start, min(start + batch_size, len(sentences)))]
            batch = collate(items, pad)
            logits = self(batch["input_ids"].to(self.device), batch["attention_mask"].to(self.device)).argmax(-1).cpu()
            for row, item in enumerate(items):
                sentence = sentences[start + row]
                tags = [self.tags[int(logits[row, p])] if p >= 0 else "O" for p in item.first_subword]
                out.append(sentence.with_spans(tags_to_spans(repair_iob2(tags)[0])))
        return out
