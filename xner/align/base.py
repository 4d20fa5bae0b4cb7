"""Word alignment records and the aligner interface."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Sequence

import numpy as np

from xner.errors import InputError
from xner.io import atomic_open

Words = Sequence[str]


class Alignment:
    """Links (source word, target word) of one sentence pair, 0-based, as an (n, 2) int array."""

    __slots__ = ("links",)

    def __init__(self, links: "np.ndarray | Sequence[tuple[int, int]]"):
        array = np.asarray(links, dtype=np.int32).reshape(-1, 2)
        self.links = np.unique(array, axis=0) if len(array) else array

    def __len__(self) -> int:
        return len(self.links)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Alignment) and np.array_equal(self.links, other.links)

    def __repr__(self) -> str:
        return f"Alignment({self.to_pharaoh()!r})"

    def pairs(self) -> set[tuple[int, int]]:
        return {(int(i), int(j)) for i, j in self.links}

    def matrix(self, source_length: int, target_length: int) -> np.ndarray:
        """Boolean source x target link matrix."""
        grid = np.zeros((source_length, target_length), dtype=bool)
        if len(self.links):
            grid[self.links[:, 0], self.links[:, 1]] = True
        return grid

    def to_pharaoh(self) -> str:
        return " ".join(f"{i}-{j}" for i, j in self.links)

    @classmethod
    def from_pharaoh(cls, text: str) -> "Alignment":
        return cls([tuple(int(x) for x in link.split("-")) for link in text.split()])


class Aligner(ABC):
    """Aligns every sentence pair of a corpus (statistical aligners learn from the corpus itself)."""

    @abstractmethod
    def align(self, sources: Sequence[Words], targets: Sequence[Words]) -> list[Alignment]:
        """One Alignment per (source words, target words) pair."""


def write_pharaoh(path: str | Path, alignments: Sequence[Alignment]) -> None:
    with atomic_open(path, "w") as handle:
        for alignment in alignments:
            handle.write(alignment.to_pharaoh() + "\n")


def read_pharaoh(path: str | Path) -> list[Alignment]:
    alignments = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                alignments.append(Alignment.from_pharaoh(line))
            except ValueError:
                raise InputError(path, f"not a Pharaoh alignment line (i-j pairs): {line.strip()[:60]!r}", number) from None
    return alignments
