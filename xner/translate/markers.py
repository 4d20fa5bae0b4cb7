"""Marker round trip: wrap source entities in markers, translate, read the spans back.

Markers lost or garbled by the translator fall back to fuzzy matching of the entity's separate
translation against the translated sentence (best character similarity above a threshold).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Sequence

from xner.data.records import EntitySpan, Sentence


@dataclass
class MarkerStats:
    """How each source entity was found in the translation."""

    by_markers: int = 0
    by_fuzzy_match: int = 0
    lost: int = 0

    def add(self, other: "MarkerStats") -> None:
        self.by_markers += other.by_markers
        self.by_fuzzy_match += other.by_fuzzy_match
        self.lost += other.lost


def mark(sentence: Sentence, opening: str = "[", closing: str = "]") -> list[str]:
    """The sentence's words with `opening`/`closing` around every entity."""
    words: list[str] = []
    starts = {span.start for span in sentence.spans}
    ends = {span.end for span in sentence.spans}
    for index, word in enumerate(sentence.tokens):
        if index in starts:
            words.append(opening)
        words.append(word)
        if index + 1 in ends:
            words.append(closing)
    return words


def read_marked(words: Sequence[str], opening: str = "[", closing: str = "]") -> tuple[list[str], list[tuple[int, int]] | None]:
    """Plain words and the marked (start, end) ranges, or None ranges if the markers are malformed."""
    plain: list[str] = []
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    malformed = False
    for word in words:
        if word == opening:
            malformed |= start is not None
            start = len(plain)
        elif word == closing:
            if start is None or start == len(plain):
                malformed = True
            else:
                ranges.append((start, len(plain)))
            start = None
        else:
            plain.append(word)
    if start is not None:
        malformed = True
    return plain, (None if malformed else ranges)


def _similarity(a: Sequence[str], b: Sequence[str]) -> float:
    return SequenceMatcher(None, " ".join(a).lower(), " ".join(b).lower()).ratio()


def fuzzy_find(words: Sequence[str], phrase: Sequence[str], taken: list[bool], threshold: float) -> tuple[int, int] | None:
    """The free window of `words` most similar to `phrase` (lengths len(phrase) +- 1), if >= threshold."""
    best: tuple[float, int, int] | None = None
    n = len(phrase)
    for length in {max(1, n - 1), n, n + 1}:
        for start in range(0, len(words) - length + 1):
            if any(taken[start : start + length]):
                continue
            score = _similarity(words[start : start + length], phrase)
            if score >= threshold and (best is None or score > best[0]):
                best = (score, start, start + length)
    return (best[1], best[2]) if best else None


def recover_entities(source: Sentence, marked_translation: Sequence[str], entity_translations: Sequence[Sequence[str]],
                     threshold: float = 0.6, opening: str = "[", closing: str = "]") -> tuple[Sentence, MarkerStats]:
    """The translated sentence (markers removed) with the source entities' labels on recovered spans.

    Markers count when they are well formed and as many as the entities (assigned in order);
    otherwise each entity is looked up by fuzzy match of its separate translation.
    """
    entities = sorted(source.spans)
    plain, ranges = read_marked(marked_translation, opening, closing)
    stats = MarkerStats()
    if ranges is not None and len(ranges) == len(entities):
        stats.by_markers = len(entities)
        spans = [EntitySpan(a, b, entity.label) for (a, b), entity in zip(ranges, entities)]
        return Sentence(tuple(plain), tuple(spans)), stats
    taken = [False] * len(plain)
    spans = []
    for entity, translation in sorted(zip(entities, entity_translations), key=lambda pair: -len(pair[1])):
        found = fuzzy_find(plain, translation, taken, threshold) if translation else None
        if found is None:
            stats.lost += 1
            continue
        taken[found[0] : found[1]] = [True] * (found[1] - found[0])
        spans.append(EntitySpan(found[0], found[1], entity.label))
        stats.by_fuzzy_match += 1
    return Sentence(tuple(plain), tuple(spans)), stats


def translate_with_markers(translator, sentences: Sequence[Sentence], opening: str = "[", closing: str = "]",
                           threshold: float = 0.6) -> tuple[list[Sentence], MarkerStats]:
    """EasyProject-style transfer: translate the marker-wrapped sentences (and, for the fuzzy fallback,
    each entity on its own) and return the translations with the recovered entities."""
    marked = translator.translate([mark(s, opening, closing) for s in sentences])
    entity_words = [list(s.tokens[e.start : e.end]) for s in sentences for e in sorted(s.spans)]
    entity_translations = iter(translator.translate(entity_words) if entity_words else [])
    stats, recovered = MarkerStats(), []
    for sentence, translation in zip(sentences, marked):
        own = [next(entity_translations) for _ in sentence.spans]
        result, sentence_stats = recover_entities(sentence, translation, own, threshold, opening, closing)
        recovered.append(result)
        stats.add(sentence_stats)
    return recovered, stats
