"""A LightningModule for word-level NER over any transformers encoder: each word is read at its
first subword, then a linear or CRF head; AdamW with linear warm-up and decay; dev F1 on words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Callable, Literal, Sequence, get_args

import numpy as np
import pytorch_lightning as pl
import torch
from torch import nn

from xner.data.iob import repair_iob2, tags_to_spans
from xner.data.records import Sentence
from xner.errors import ConfigError
from xner.models.crf import LinearChainCRF
from xner.models.tagging_data import IGNORE
from xner.options import Count, Fraction, Positive, PositiveFloat, Range

Head = Literal["linear", "crf"]
HEADS = get_args(Head)


@dataclass
class TaggerOptions:
    """The `model` group's options that are not TokenTagger's own parameters (those are declared by its
    signature): which encoder, how sentences are batched, cut and selected on dev, and where prediction runs."""

    name: str
    encoder: str
    batch_size: Positive
    max_length: Annotated[int, Range(8)]
    long_sentences: Literal["split", "truncate"]
    gradient_clip: PositiveFloat | None
    early_stopping_patience: Count | None
    min_dev_entities: Count
    runtime: Literal["auto", "torch", "onnxruntime"]
    init_from: str | None = None


class TokenTagger(pl.LightningModule):
    """Encoder + dropout + linear layer (+ CRF); the head may learn faster than the encoder."""

    def __init__(self, encoder: str, tags: Sequence[str], head: Head = "linear", learning_rate: PositiveFloat = 5e-5,
                 head_learning_rate: PositiveFloat | None = None, weight_decay: Annotated[float, Range(0)] = 0.01,
                 warmup_ratio: Fraction = 0.1, dropout: Annotated[float, Range(0, 1, hi_open=True)] = 0.1,
                 freeze_embeddings: bool = False, frozen_layers: Count = 0, state_cache: bool = True):
        super().__init__()
        from transformers import AutoModel

        from xner.models.encoder import resolve_model

        if head not in HEADS:
            raise ConfigError(f"unknown model.head '{head}'", list(HEADS))
        self.save_hyperparameters()
        self.tags = list(tags)
        # from_pretrained returns eval mode; Lightning would keep it so (no dropout while training)
        self.encoder = AutoModel.from_pretrained(resolve_model(encoder), add_pooling_layer=False).train()
        if freeze_embeddings:
            self.encoder.get_input_embeddings().weight.requires_grad = False
        self.frozen = self._freeze(frozen_layers)
        self.frozen_layers = frozen_layers
        # with frozen layers, their output is computed once per sentence (xner.models.states) and training,
        # dev and test prediction run only the upper layers on it
        self.state_cache = bool(state_cache and frozen_layers)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.encoder.config.hidden_size, len(self.tags))
        self.crf = LinearChainCRF(self.tags) if head == "crf" else None
        # model selection score over dev tags (gold, predicted) -> float, given by the trainer's caller
        # (the reported metric lives in xner.eval, a layer above models)
        self.dev_score: Callable[[list[list[str]], list[list[str]]], float] | None = None
        self._dev_gold: list[list[str]] = []
        self._dev_pred: list[list[str]] = []
        self.graph: Callable[..., np.ndarray] | None = None  # inference in ONNX Runtime (see `_encode`)

    def _freeze(self, count: int) -> list[nn.Module]:
        """Embeddings and the lowest `count` encoder layers fixed (no gradients, no dropout): training
        back-propagates through the upper layers only."""
        if not count:
            return []
        from xner.models.encoder import layer_stack

        layers = layer_stack(self.encoder)
        if layers is None:
            raise ConfigError(f"model.frozen_layers needs an encoder with a layer stack ({type(self.encoder).__name__} has none)")
        if not 0 <= count <= len(layers):
            raise ConfigError(f"model.frozen_layers={count}: the encoder has {len(layers)} layers (0..{len(layers)})")
        frozen = [self.encoder.embeddings, *layers[:count]]
        for module in frozen:
            module.requires_grad_(False)
            module.eval()
        return frozen

    def train(self, mode: bool = True):
        super().train(mode)
        for module in getattr(self, "frozen", []):  # frozen layers stay deterministic while the rest trains
            module.eval()
        return self

    def _run_layers(self, layers, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        from xner.models.encoder import run_layers

        return run_layers(layers, hidden, attention_mask)

    def lower_states(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The frozen part's output [batch, subwords, hidden]: embeddings and the lowest `frozen_layers` layers."""
        from xner.models.encoder import layer_stack

        hidden = self.encoder.embeddings(input_ids=input_ids)
        return self._run_layers(layer_stack(self.encoder)[: self.frozen_layers], hidden, attention_mask)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, word_positions: torch.Tensor,
                states: torch.Tensor | None = None) -> torch.Tensor:
        """Tag scores per word [batch, words, tags], read at each word's first subword; given the frozen
        layers' `states`, only the layers above them run."""
        hidden = self._encode(input_ids, attention_mask, states)
        index = word_positions.unsqueeze(-1).expand(-1, -1, hidden.shape[-1])
        return self.head(self.dropout(hidden.gather(1, index))).float()

    def _encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, states: torch.Tensor | None) -> torch.Tensor:
        """The last layer's states: the encoder (or its layers above the frozen ones), or, while inference runs
        in ONNX Runtime (`self.graph`, set by xner.models.training.inference_graph), that graph."""
        graph = self.graph if not self.training and not torch.is_grad_enabled() else None
        if graph is not None:  # it runs the layers above the frozen ones (all of them without)
            first = states.float() if states is not None else self.encoder.embeddings(input_ids=input_ids)
            return torch.from_numpy(graph(first.cpu().numpy(), attention_mask.cpu().numpy())).to(self.device)
        if states is not None:
            from xner.models.encoder import layer_stack

            return self._run_layers(layer_stack(self.encoder)[self.frozen_layers:], states, attention_mask)
        return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    def _loss(self, batch) -> tuple[torch.Tensor, torch.Tensor]:
        logits = self(batch["input_ids"], batch["attention_mask"], batch["word_positions"], batch.get("states"))
        if "soft_labels" in batch:  # teacher-student: cross-entropy against the teachers' distributions
            if self.crf is not None:
                raise ConfigError("soft labels (teacher-student) need model.head=linear")
            mask = batch["word_mask"]
            log_probs = torch.log_softmax(logits, dim=-1)
            per_word = -(batch["soft_labels"] * log_probs).sum(-1)
            return (per_word * mask).sum() / mask.sum().clamp(min=1), logits
        if self.crf is not None:
            return self.crf.neg_log_likelihood(logits, batch["labels"], batch["word_mask"]), logits
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), batch["labels"].flatten(), ignore_index=IGNORE)
        return loss, logits

    def decode(self, logits: torch.Tensor, word_mask: torch.Tensor) -> list[list[str]]:
        """Valid IOB2 tags for each row's unmasked words (Viterbi with a CRF, argmax + repair without)."""
        if self.crf is not None:
            ids = self.crf.decode(logits, word_mask)
        else:
            best = logits.argmax(-1)
            ids = [best[row][word_mask[row]].tolist() for row in range(len(best))]
        return [repair_iob2([self.tags[i] for i in row])[0] for row in ids]

    def word_tags(self, logits: torch.Tensor, batch) -> tuple[list[list[str]], list[list[str]]]:
        """Gold and predicted tags of the words kept after truncation, per sentence."""
        labels, mask = batch["labels"], batch["word_mask"]
        gold = [[self.tags[i] for i in labels[row][mask[row]].tolist()] for row in range(len(labels))]
        return gold, self.decode(logits, mask)

    def training_step(self, batch, batch_index):
        loss, _ = self._loss(batch)
        self.log("train/loss", loss, prog_bar=True, batch_size=len(batch["input_ids"]))
        return loss

    def validation_step(self, batch, batch_index):
        loss, logits = self._loss(batch)
        self.log("dev/loss", loss, batch_size=len(batch["input_ids"]))
        gold, pred = self.word_tags(logits, batch)
        self._dev_gold += gold
        self._dev_pred += pred

    def on_validation_epoch_end(self):
        if self._dev_gold and self.dev_score is not None:
            self.log("dev/f1", self.dev_score(self._dev_gold, self._dev_pred), prog_bar=True)
        self._dev_gold, self._dev_pred = [], []

    def configure_optimizers(self):
        from transformers import get_linear_schedule_with_warmup

        head_lr = self.hparams.head_learning_rate or self.hparams.learning_rate
        groups: dict[tuple[bool, bool], list] = {}
        for name, parameter in self.named_parameters():
            if parameter.requires_grad:
                in_head = not name.startswith("encoder.")
                no_decay = in_head or "bias" in name or "LayerNorm" in name
                groups.setdefault((in_head, no_decay), []).append(parameter)
        optimizer = torch.optim.AdamW(
            [{"params": params, "lr": head_lr if in_head else self.hparams.learning_rate,
              "weight_decay": 0.0 if no_decay else self.hparams.weight_decay} for (in_head, no_decay), params in groups.items()])
        total = max(1, int(self.trainer.estimated_stepping_batches))
        scheduler = get_linear_schedule_with_warmup(optimizer, int(self.hparams.warmup_ratio * total), total)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}

    @torch.inference_mode()
    def word_distributions(self, dataset, batch_size: int = 32) -> list[np.ndarray]:
        """Per sentence, a [words, tags] array of tag probabilities (softmax of the word scores; for a
        CRF head its emissions, without transitions); words the encoder never saw are O."""

        from xner.models.tagging_data import collate, kept_words

        self.eval()
        pad = self.encoder.config.pad_token_id or 0
        order = sorted(range(len(dataset)), key=lambda i: len(dataset[i].input_ids))
        out: list = [None] * len(dataset)
        for start in range(0, len(order), batch_size):
            indices = order[start: start + batch_size]
            batch = {k: v.to(self.device) for k, v in collate([dataset[i] for i in indices], pad).items()}
            logits = self(batch["input_ids"], batch["attention_mask"], batch["word_positions"], batch.get("states"))
            probs = torch.softmax(logits, -1).cpu().numpy()
            for row, index in enumerate(indices):
                item = dataset[index]
                full = np.zeros((len(item.first_subword), len(self.tags)), np.float32)
                full[:, self.tags.index("O")] = 1.0  # words the encoder never saw are O
                keep = kept_words(item)
                full[keep] = probs[row, : len(keep)]
                out[index] = full
        return out

    @torch.inference_mode()
    def predict_sentences(self, sentences: Sequence[Sentence], dataset, batch_size: int = 32) -> list[Sentence]:
        """Entity spans for `sentences` (their encoded `dataset`), batched by length; words cut by
        truncation get O."""
        from xner.models.tagging_data import collate, kept_words
        from xner.progress import progress

        self.eval()
        pad = self.encoder.config.pad_token_id or 0
        order = sorted(range(len(sentences)), key=lambda i: len(dataset[i].input_ids))
        out: list[Sentence | None] = [None] * len(sentences)
        for start in progress(range(0, len(order), batch_size), desc="predict", leave=False, disable=len(order) <= batch_size):
            indices = order[start: start + batch_size]
            batch = {k: v.to(self.device) for k, v in collate([dataset[i] for i in indices], pad).items()}
            logits = self(batch["input_ids"], batch["attention_mask"], batch["word_positions"], batch.get("states"))
            decoded = self.decode(logits, batch["word_mask"])
            for index, predicted in zip(indices, decoded):
                sentence = sentences[index]
                tags = ["O"] * len(sentence)  # words the encoder never saw (truncated or dropped) are O
                for word, tag in zip(kept_words(dataset[index]), predicted):
                    tags[word] = tag
                out[index] = sentence.with_spans(tags_to_spans(repair_iob2(tags)[0]))
        return out  # type: ignore[return-value]
