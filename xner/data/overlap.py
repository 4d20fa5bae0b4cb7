"""Which texts share a sentence with an evaluation split: unlabelled or parallel text that holds test sentences
shows a method the test set's text before testing (MAFAND-MT's twi and fon train sides hold most of MasakhaNER 2.0's
twi and fon test sets)."""

from __future__ import annotations

import unicodedata
from typing import Iterable, Sequence

import regex

from xner.data.tokenize import LETTER

PIECE = regex.compile(rf"{LETTER}+")
MIN_PIECES = 4  # shorter sentences (headings, "Ọzọ,") match too much ordinary text to count


def pieces(words: Sequence[str]) -> tuple[str, ...]:
    """Case-folded NFC runs of letters, digits and combining marks of `words`: tokenisation, punctuation and case do
    not hide a match."""
    return tuple(p for word in words for p in PIECE.findall(unicodedata.normalize("NFC", word).casefold()))


class SentenceIndex:
    """Sentences (of at least MIN_PIECES pieces) to look for in other texts. A text shares one when either holds the
    other as a contiguous run of pieces covering at least half of the longer of the two: the same sentence in
    another line break or with a prefix such as `5254-`, not a common phrase inside an unrelated sentence."""

    def __init__(self, sentences: Iterable[Sequence[str]], min_pieces: int = MIN_PIECES):
        self.n = min_pieces
        self.sentences = sorted({key for s in sentences if len(key := pieces(s)) >= min_pieces})
        self.heads: dict[tuple[str, ...], list[tuple[int, int]]] = {}  # each n-gram of a sentence: (sentence, offset)
        for index, key in enumerate(self.sentences):
            for offset in range(len(key) - self.n + 1):
                self.heads.setdefault(key[offset:offset + self.n], []).append((index, offset))

    def __len__(self) -> int:
        return len(self.sentences)

    def shares(self, words: Sequence[str]) -> bool:
        """Whether `words` holds an indexed sentence, or lies inside one, as above."""
        text = pieces(words)
        if len(text) < self.n:
            return False
        for start in range(len(text) - self.n + 1):  # an indexed sentence starting at `start` of the text
            for index, offset in self.heads.get(text[start:start + self.n], ()):
                key = self.sentences[index]
                if offset == 0 and 2 * len(key) >= len(text) and text[start:start + len(key)] == key:
                    return True
        for index, offset in self.heads.get(text[:self.n], ()):  # the text inside an indexed sentence
            key = self.sentences[index]
            if 2 * len(text) >= len(key) and key[offset:offset + len(text)] == text:
                return True
        return False
