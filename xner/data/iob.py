"""Small pure functions between IOB2 tag sequences and entity spans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from xner.data.records import EntitySpan


@dataclass(frozen=True)
class TagProblem:
    """A position in a tag sequence that is not valid IOB2, and why."""

    index: int
    problem: str


def split_tag(tag: str) -> tuple[str, str | None]:
    """'B-PER' -> ('B', 'PER'); 'O' -> ('O', None); anything else raises ValueError."""
    if tag == "O":
        return "O", None
    prefix, sep, label = tag.partition("-")
    if sep != "-" or prefix not in ("B", "I") or not label:
        raise ValueError(f"unknown tag {tag!r} (expected O, B-<type> or I-<type>)")
    return prefix, label


def iob2_problems(tags: Sequence[str]) -> list[TagProblem]:
    """Every position that breaks IOB2: malformed tags and I- tags that do not continue an entity."""
    problems: list[TagProblem] = []
    previous_label: str | None = None
    for index, tag in enumerate(tags):
        try:
            prefix, label = split_tag(tag)
        except ValueError as error:
            problems.append(TagProblem(index, str(error)))
            previous_label = None
            continue
        if prefix == "I" and previous_label != label:
            before = tags[index - 1] if index else "sentence start"
            problems.append(TagProblem(index, f"orphan {tag} after {before} (IOB2 needs B-{label} first)"))
        previous_label = label
    return problems


def repair_iob2(tags: Sequence[str]) -> tuple[list[str], int]:
    """Turn orphan I- tags into B- tags (the conlleval reading); returns the tags and the repair count."""
    repaired: list[str] = []
    repairs = 0
    previous_label: str | None = None
    for tag in tags:
        prefix, label = split_tag(tag)
        if prefix == "I" and previous_label != label:
            tag = f"B-{label}"
            repairs += 1
        repaired.append(tag)
        previous_label = label
    return repaired, repairs


def tags_to_spans(tags: Sequence[str]) -> list[EntitySpan]:
    """Spans of a valid IOB2 sequence (call iob2_problems or repair_iob2 first on untrusted input)."""
    spans: list[EntitySpan] = []
    start: int | None = None
    current: str | None = None
    for index, tag in enumerate(tags):
        prefix, label = split_tag(tag)
        if prefix == "I" and label == current:
            continue
        if current is not None:
            spans.append(EntitySpan(start, index, current))  # type: ignore[arg-type]
        start, current = (index, label) if prefix != "O" else (None, None)
    if current is not None:
        spans.append(EntitySpan(start, len(tags), current))  # type: ignore[arg-type]
    return spans


def spans_to_tags(spans: Sequence[EntitySpan], length: int) -> list[str]:
    """IOB2 tags for non-overlapping spans in a sentence of `length` words."""
    tags = ["O"] * length
    for span in sorted(spans):
        if span.end > length:
            raise ValueError(f"span {span} lies outside a sentence of {length} words")
        if any(tag != "O" for tag in tags[span.start : span.end]):
            raise ValueError(f"span {span} overlaps another span")
        tags[span.start] = f"B-{span.label}"
        for index in range(span.start + 1, span.end):
            tags[index] = f"I-{span.label}"
    return tags


def argmax_spans(probabilities, tags: Sequence[str]) -> list[EntitySpan]:
    """Spans of the most likely tag of each word (a [words, tags] array), orphan I- tags repaired: a model's labelling."""
    return tags_to_spans(repair_iob2([tags[i] for i in probabilities.argmax(1)])[0])
