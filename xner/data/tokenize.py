"""Word splitting for untokenised text (parallel corpora), close to CoNLL-style tokenisation."""

from __future__ import annotations

import regex

# A word character is a letter, digit or combining mark (\p{M}): Devanagari vowel signs and viramas, and the tone marks
# of Ghomala', Fon, Mossi or Ewe written as combining accents, belong to their word (`re`'s \w leaves them out).
LETTER = r"[\w\p{M}]"
_WORD = regex.compile(rf"(?:\w\p{{M}}*\.){{2,}}(?:-{LETTER}+)*|{LETTER}+(?:[-'’.]{LETTER}+)*|[^\w\p{{M}}\s]")


def split_words(text: str) -> list[str]:
    """Words and single punctuation marks: "U.S.-based firm's" stays whole, "(EU)," splits into 4, "हिन्दी" and
    "Kaməlúmwɛ̂" (combining accents) stay whole."""
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
