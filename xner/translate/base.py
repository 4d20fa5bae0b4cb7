"""The translator interface: source sentences (words) -> target sentences (words)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

Words = Sequence[str]


class Translator(ABC):
    """Translates word-split sentences; `references` is the given target side when the data has one."""

    @abstractmethod
    def translate(self, sources: Sequence[Words], references: Sequence[Words] | None = None) -> list[list[str]]:
        """One list of target words per source sentence."""
