"""Typed records that flow through the pipeline: spans inside, IOB2 only at file boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class EntitySpan:
    """An entity over words start..end-1 (0-based, exclusive end)."""

    start: int
    end: int
    label: str

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end):
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: "EntitySpan") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Sentence:
    """A tokenised sentence with its (possibly empty) entity spans."""

    tokens: tuple[str, ...]
    spans: tuple[EntitySpan, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokens", tuple(self.tokens))
        object.__setattr__(self, "spans", tuple(sorted(self.spans)))
        for span in self.spans:
            if span.end > len(self.tokens):
                raise ValueError(f"span {span} lies outside a sentence of {len(self.tokens)} words")

    def __len__(self) -> int:
        return len(self.tokens)

    def with_spans(self, spans: "list[EntitySpan] | tuple[EntitySpan, ...]") -> "Sentence":
        return Sentence(self.tokens, tuple(spans))


@dataclass(frozen=True)
class ParallelPair:
    """A source sentence (with entities) and its translation (target words, maybe gold entities)."""

    source: Sentence
    target: Sentence
