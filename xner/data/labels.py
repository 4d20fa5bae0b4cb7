"""Label-set mapping: keep the entity types an experiment studies, rename or drop the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from xner.data.records import EntitySpan, Sentence


@dataclass(frozen=True)
class LabelMap:
    """`rename` is applied first (e.g. GPE -> LOC); spans whose label is then not in `keep` become O."""

    keep: frozenset[str]
    rename: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, keep: Iterable[str], rename: Mapping[str, str] | None = None) -> "LabelMap":
        return cls(frozenset(keep), dict(rename or {}))

    def map_spans(self, spans: Iterable[EntitySpan]) -> tuple[EntitySpan, ...]:
        mapped = []
        for span in spans:
            label = self.rename.get(span.label, span.label)
            if label in self.keep:
                mapped.append(EntitySpan(span.start, span.end, label))
        return tuple(mapped)

    def map_sentence(self, sentence: Sentence) -> Sentence:
        return sentence.with_spans(self.map_spans(sentence.spans))

    def map_corpus(self, sentences: Iterable[Sentence]) -> list[Sentence]:
        return [self.map_sentence(sentence) for sentence in sentences]
