"""Label-set mapping: keep the entity types an experiment studies, rename or drop the rest."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Mapping

from xner.data.records import EntitySpan, Sentence

ALIASES = {"person": "per", "pers": "per", "organization": "org", "organisation": "org", "location": "loc",
           "gpe": "loc", "miscellaneous": "misc"}


@dataclass
class LabelCounts:
    """What mapping did to the types it met: dropped (outside `keep`) and re-cased (`per` read as PER)."""

    dropped: Counter = field(default_factory=Counter)
    recased: Counter = field(default_factory=Counter)

    def lookalikes(self, keep: Iterable[str]) -> dict[str, str]:
        """Dropped types that are common spellings of a kept one (PERSON -> PER): likely a missing `rename`."""
        kept = {k.casefold(): k for k in keep}
        found = {label: kept.get(ALIASES.get(label.casefold(), "")) for label in self.dropped}
        return {label: k for label, k in found.items() if k is not None}


@dataclass(frozen=True)
class LabelMap:
    """`rename` is applied first (e.g. GPE -> LOC); types are then compared with `keep` case-insensitively
    (`per` is PER); spans whose type is not kept become O."""

    keep: frozenset[str]
    rename: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, keep: Iterable[str], rename: Mapping[str, str] | None = None) -> "LabelMap":
        return cls(frozenset(keep), dict(rename or {}))

    def resolve(self, label: str) -> str | None:
        """The kept type `label` stands for, or None when it is dropped."""
        label = self.rename.get(label, label)
        if label in self.keep:
            return label
        return self._folded.get(label.casefold())

    @cached_property
    def _folded(self) -> dict[str, str]:
        return {k.casefold(): k for k in self.keep}

    def map_spans(self, spans: Iterable[EntitySpan], counts: LabelCounts | None = None) -> tuple[EntitySpan, ...]:
        mapped = []
        for span in spans:
            label = self.resolve(span.label)
            if label is None:
                if counts is not None:
                    counts.dropped[span.label] += 1
                continue
            if counts is not None and label != self.rename.get(span.label, span.label):
                counts.recased[span.label] += 1
            mapped.append(EntitySpan(span.start, span.end, label))
        return tuple(mapped)

    def map_sentence(self, sentence: Sentence, counts: LabelCounts | None = None) -> Sentence:
        return sentence.with_spans(self.map_spans(sentence.spans, counts))

    def map_corpus(self, sentences: Iterable[Sentence], counts: LabelCounts | None = None) -> list[Sentence]:
        return [self.map_sentence(sentence, counts) for sentence in sentences]
