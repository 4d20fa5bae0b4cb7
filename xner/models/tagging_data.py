"""Word-level NER data for subword encoders: the first subword of each word carries its tag, the
rest -100 (ignored by the loss); batches are padded per batch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from torch.utils.data import DataLoader, Dataset

from xner.data.iob import spans_to_tags
from xner.data.records import Sentence

IGNORE = -100


def tag_set(labels: Sequence[str]) -> list[str]:
    """IOB2 tags for entity types: O, B-X, I-X, ... in a fixed order."""
    return ["O"] + [f"{prefix}-{label}" for label in sorted(labels) for prefix in ("B", "I")]


@dataclass
class Encoded:
    input_ids: list[int]
    labels: list[int]
    first_subword: list[int]  # position of each word's first subword (-1 when truncated away)


def encode(tokenizer, sentence: Sentence, tag_to_id: dict[str, int], max_length: int) -> Encoded:
    tags = spans_to_tags(sentence.spans, len(sentence))
    encoding = tokenizer(list(sentence.tokens) or [""], is_split_into_words=True, truncation=True, max_length=max_length)
    labels, first = [], [-1] * len(sentence)
    previous = None
    for position, word in enumerate(encoding.word_ids()):
        if word is not None and word != previous and word < len(sentence):
            labels.append(tag_to_id.get(tags[word], 0))
            first[word] = position
        else:
            labels.append(IGNORE)
        previous = word
    return Encoded(encoding["input_ids"], labels, first)


class TaggingDataset(Dataset):
    def __init__(self, tokenizer, sentences: Sequence[Sentence], tags: Sequence[str], max_length: int = 256):
        tag_to_id = {tag: i for i, tag in enumerate(tags)}
        self.items = [encode(tokenizer, s, tag_to_id, max_length) for s in sentences]
        self.truncated_words = sum(f.count(-1) for f in (item.first_subword for item in self.items))

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Encoded:
        return self.items[index]


def collate(items: Sequence[Encoded], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(item.input_ids) for item in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    labels = torch.full((len(items), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    for row, item in enumerate(items):
        n = len(item.input_ids)
        ids[row, :n] = torch.tensor(item.input_ids)
        labels[row, :n] = torch.tensor(item.labels)
        mask[row, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def loader(dataset: TaggingDataset, pad_id: int, batch_size: int, shuffle: bool, seed: int = 0) -> DataLoader:
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator,
                      collate_fn=lambda items: collate(items, pad_id))
