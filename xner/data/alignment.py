"""Word-alignment records (0-based source-target links) and their Pharaoh `i-j` files, shared by
aligners, projectors, evaluation and the stage cache."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from xner.errors import InputError
from xner.io import atomic_open


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
