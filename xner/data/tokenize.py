"""Word splitting for untokenised text (parallel corpora), close to CoNLL-style tokenisation."""

from __future__ import annotations

import re

_WORD = re.compile(r"(?:\w\.){2,}(?:-\w+)*|\w+(?:[-'’.]\w+)*|[^\w\s]", re.UNICODE)


def split_words(text: str) -> list[str]:
    """Words and single punctuation marks: "U.S.-based firm's" stays whole, "(EU)," splits into 4."""
    return _WORD.findall(text)


def repair_mojibake(word: str) -> str:
    """Undo UTF-8 text that was decoded as Latin-1/cp1252 once ("CoruÃ±a" -> "Coruña"); other words unchanged."""
    if not any("\u00c0" <= ch <= "\u00ff" for ch in word):
        return word
    for codec in ("cp1252", "latin-1"):
        try:
            return word.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return word
