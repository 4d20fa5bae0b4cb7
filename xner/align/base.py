"""The aligner interface: word-split sentence pairs in, one Alignment (xner.data.alignment) per pair out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

from xner.data.alignment import Alignment

Words = Sequence[str]


class Aligner(ABC):
    """Aligns every sentence pair of a corpus (statistical aligners learn from the corpus itself)."""

    @abstractmethod
    def align(self, sources: Sequence[Words], targets: Sequence[Words]) -> list[Alignment]:
        """One Alignment per (source words, target words) pair."""
