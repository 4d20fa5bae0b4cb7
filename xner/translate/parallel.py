"""The "translation" is the human target side of a parallel corpus, so projection needs no MT."""

from __future__ import annotations

from typing import Sequence

from xner.errors import ConfigError
from xner.translate.base import Translator, Words


class ParallelTranslator(Translator):
    """Returns the given target sentences (gold parallel data such as Europarl or MAFAND-MT); the
    direction (`src_lang` -> `tgt_lang`) is the corpus' own and only recorded."""

    def __init__(self, src_lang: str = "en", tgt_lang: str | None = None):
        self.src_lang, self.tgt_lang = src_lang, tgt_lang

    def translate(self, sources: Sequence[Words], references: Sequence[Words] | None = None) -> list[list[str]]:
        if references is None:
            raise ConfigError("translator=parallel needs data with a parallel target side; choose an MT translator for this data")
        if len(references) != len(sources):
            raise ConfigError(f"translator=parallel got {len(sources)} source sentences but {len(references)} target sentences")
        return [list(words) for words in references]
