"""Word-level NER data for subword encoders: each word is read at its first subword; batches carry
the subword ids, each word's first-subword position and its tag (IGNORE for padding/truncation)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from xner.data.iob import spans_to_tags
from xner.data.records import Sentence

IGNORE = -100


def tag_set(labels: Sequence[str]) -> list[str]:
    """IOB2 tags for entity types: O, B-X, I-X, ... in a fixed order."""
    return ["O"] + [f"{prefix}-{label}" for label in sorted(labels) for prefix in ("B", "I")]


@dataclass
class Encoded:
    input_ids: list[int]
    first_subword: list[int]  # position of each word's first subword (-1 when truncated away)
    word_labels: list[int]  # tag id per word (IGNORE when truncated away)
    soft_labels: np.ndarray | None = None  # [words, tags] target distribution (teacher-student), or None
    states: np.ndarray | None = None  # [subwords, hidden] fp16 output of the model's frozen layers, or None


def encode(tokenizer, sentence: Sentence, tag_to_id: dict[str, int], max_length: int) -> Encoded:
    tags = spans_to_tags(sentence.spans, len(sentence))
    encoding = tokenizer(list(sentence.tokens) or [""], is_split_into_words=True, truncation=True, max_length=max_length)
    first = [-1] * len(sentence)
    for position, word in enumerate(encoding.word_ids()):
        if word is not None and word < len(sentence) and first[word] < 0:
            first[word] = position
    labels = [tag_to_id.get(tag, 0) if position >= 0 else IGNORE for tag, position in zip(tags, first)]
    return Encoded(encoding["input_ids"], first, labels)


class TaggingDataset(Dataset):
    """Encoded sentences; with `soft_labels` (one [words, tags] array per sentence) the model learns
    those distributions instead of the sentences' spans."""

    def __init__(self, tokenizer, sentences: Sequence[Sentence], tags: Sequence[str], max_length: int = 256,
                 soft_labels: Sequence[np.ndarray] | None = None):
        tag_to_id = {tag: i for i, tag in enumerate(tags)}
        self.items = [encode(tokenizer, s, tag_to_id, max_length) for s in sentences]
        if soft_labels is not None:
            if len(soft_labels) != len(sentences):
                raise ValueError(f"{len(soft_labels)} soft-label arrays for {len(sentences)} sentences")
            for item, sentence, soft in zip(self.items, sentences, soft_labels):
                if soft.shape != (len(sentence), len(tags)):
                    raise ValueError(f"soft labels of shape {soft.shape} for a sentence of {len(sentence)} words and {len(tags)} tags")
                item.soft_labels = np.asarray(soft, dtype=np.float32)
        self.truncated_words = sum(f.count(-1) for f in (item.first_subword for item in self.items))

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Encoded:
        return self.items[index]


def kept_words(item: Encoded) -> list[int]:
    """Indices of the words the encoder sees (truncation, or a tokenizer that drops a word, hide others)."""
    return [word for word, position in enumerate(item.first_subword) if position >= 0]


def collate(items: Sequence[Encoded], pad_id: int) -> dict[str, torch.Tensor]:
    """Padded subword ids plus, per row, the first-subword positions of its kept words packed to the
    left, so every row's word mask is a prefix (what the CRF needs); `kept_words` maps them back."""
    kept = [kept_words(item) for item in items]
    width = max(len(item.input_ids) for item in items)
    words = max(1, max(len(k) for k in kept))
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    positions = torch.zeros((len(items), words), dtype=torch.long)
    labels = torch.full((len(items), words), IGNORE, dtype=torch.long)
    for row, (item, keep) in enumerate(zip(items, kept)):
        ids[row, : len(item.input_ids)] = torch.tensor(item.input_ids)
        mask[row, : len(item.input_ids)] = 1
        if keep:
            positions[row, : len(keep)] = torch.tensor([item.first_subword[w] for w in keep])
            labels[row, : len(keep)] = torch.tensor([item.word_labels[w] for w in keep])
    word_mask = torch.zeros((len(items), words), dtype=torch.bool)
    for row, keep in enumerate(kept):
        word_mask[row, : len(keep)] = True
    batch = {"input_ids": ids, "attention_mask": mask, "word_positions": positions, "word_mask": word_mask, "labels": labels}
    if items and all(item.soft_labels is not None for item in items):
        soft = torch.zeros((len(items), words, items[0].soft_labels.shape[1]))
        for row, (item, keep) in enumerate(zip(items, kept)):
            if keep:
                soft[row, : len(keep)] = torch.from_numpy(item.soft_labels[keep])
        batch["soft_labels"] = soft
    if items and all(item.states is not None for item in items):
        states = torch.zeros((len(items), width, items[0].states.shape[1]))
        for row, item in enumerate(items):
            states[row, : len(item.states)] = torch.from_numpy(np.asarray(item.states, dtype=np.float32))
        batch["states"] = states
    return batch


class LengthBucketSampler(Sampler[list[int]]):
    """Shuffled batches of similar length (sorted within windows of `window` batches), so padding and
    thus CPU time shrink; seeded per epoch, so runs repeat."""

    def __init__(self, lengths: Sequence[int], batch_size: int, seed: int = 0, window: int = 50):
        self.lengths, self.batch_size, self.seed, self.window = list(lengths), batch_size, seed, window
        self.epoch = 0

    def __iter__(self) -> Iterator[list[int]]:
        generator = torch.Generator().manual_seed(self.seed + self.epoch)
        self.epoch += 1
        order = torch.randperm(len(self.lengths), generator=generator).tolist()
        span = self.batch_size * self.window
        batches = []
        for start in range(0, len(order), span):
            chunk = sorted(order[start: start + span], key=self.lengths.__getitem__)
            batches += [chunk[i: i + self.batch_size] for i in range(0, len(chunk), self.batch_size)]
        for index in torch.randperm(len(batches), generator=generator).tolist():
            yield batches[index]

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)


def loader(dataset: TaggingDataset, pad_id: int, batch_size: int, shuffle: bool, seed: int = 0) -> DataLoader:
    """Training loaders draw length-bucketed shuffled batches; evaluation keeps the corpus order."""
    collate_fn = lambda items: collate(items, pad_id)  # noqa: E731
    if shuffle:
        sampler = LengthBucketSampler([len(item.input_ids) for item in dataset.items], batch_size, seed)
        return DataLoader(dataset, batch_sampler=sampler, collate_fn=collate_fn)
    return DataLoader(dataset, batch_size=batch_size, shuffle=False, collate_fn=collate_fn)


class TaggingDataModule(pl.LightningDataModule):
    """Train/dev(/test) tagging data for Lightning from sentences, e.g. a registered corpus or a
    projected stage artifact (both CoNLL files: see `from_conll`)."""

    def __init__(self, tokenizer, tags: Sequence[str], train: Sequence[Sentence], dev: Sequence[Sentence] = (),
                 test: Sequence[Sentence] = (), max_length: int = 256, batch_size: int = 32, seed: int = 0,
                 train_soft_labels: Sequence[np.ndarray] | None = None):
        super().__init__()
        self.pad_id = tokenizer.pad_token_id or 0
        self.batch_size, self.seed = batch_size, seed
        self.train_set = TaggingDataset(tokenizer, train, tags, max_length, train_soft_labels)
        self.dev_set = TaggingDataset(tokenizer, dev, tags, max_length) if dev else None
        self.test_set = TaggingDataset(tokenizer, test, tags, max_length) if test else None

    @classmethod
    def from_conll(cls, tokenizer, tags: Sequence[str], train: str | Path, dev: str | Path | None = None,
                   test: str | Path | None = None, **options) -> "TaggingDataModule":
        from xner.data.conll import read_conll

        return cls(tokenizer, tags, read_conll(train), read_conll(dev) if dev else (), read_conll(test) if test else (), **options)

    def train_dataloader(self) -> DataLoader:
        return loader(self.train_set, self.pad_id, self.batch_size, True, self.seed)

    def val_dataloader(self) -> DataLoader | list:
        return loader(self.dev_set, self.pad_id, self.batch_size, False) if self.dev_set is not None else []

    def test_dataloader(self) -> DataLoader | list:
        return loader(self.test_set, self.pad_id, self.batch_size, False) if self.test_set is not None else []
