"""The aligner interface: word-split sentence pairs in, one Alignment (xner.data.alignment) per pair out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

from xner.data.alignment import Alignment
from xner.errors import XnerError

Words = Sequence[str]


class Aligner(ABC):
    """Aligns every sentence pair of a corpus (statistical aligners learn from the corpus itself)."""

    @abstractmethod
    def align(self, sources: Sequence[Words], targets: Sequence[Words]) -> list[Alignment]:
        """One Alignment per (source words, target words) pair."""


def check_pairs(sources: Sequence[Words], targets: Sequence[Words]) -> None:
    """One target per source sentence, every word a non-empty string without whitespace (aligners split
    on whitespace internally); else a one-line XnerError naming the sentence and word."""
    if len(sources) != len(targets):
        raise XnerError(f"aligner: {len(sources)} source sentences but {len(targets)} target sentences")
    for side, sentences in (("source", sources), ("target", targets)):
        for index, words in enumerate(sentences, start=1):
            for position, word in enumerate(words, start=1):
                if not isinstance(word, str) or not word or any(c.isspace() for c in word):
                    raise XnerError(f"aligner: {side} sentence {index}, word {position} is {word!r}: words must be "
                                    "non-empty and contain no whitespace")
