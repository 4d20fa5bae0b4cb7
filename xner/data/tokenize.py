"""Word splitting for untokenised text (parallel corpora), close to CoNLL-style tokenisation."""

from __future__ import annotations

import re

_WORD = re.compile(r"(?:\w\.){2,}(?:-\w+)*|\w+(?:[-'’.]\w+)*|[^\w\s]", re.UNICODE)


def split_words(text: str) -> list[str]:
    """Words and single punctuation marks: "U.S.-based firm's" stays whole, "(EU)," splits into 4."""
    return _WORD.findall(text)
