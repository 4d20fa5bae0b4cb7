"""Line-aligned parallel text: sentence k of one file translates sentence k of the other (or, for
comparable captions, describes the same image); plus the caption corpora's side files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from xner.data.textfile import iter_lines
from xner.data.tokenize import split_words
from xner.errors import InputError


def read_lines(path: str | Path) -> list[str]:
    return [text for _, text in iter_lines(path)]


def check_same_length(source_path: str | Path, source_count: int, target_path: str | Path, target_count: int, unit: str = "lines") -> None:
    """Line-parallel inputs must have equal lengths; the error names both files and where one ends."""
    if source_count != target_count:
        shorter, longer = (source_path, target_path) if source_count < target_count else (target_path, source_path)
        first_unmatched = min(source_count, target_count) + 1
        raise InputError(
            longer,
            f"parallel files differ in length: {source_path} has {source_count} {unit}, {target_path} has "
            f"{target_count}; {unit[:-1]} {first_unmatched} has no counterpart in {shorter}",
            first_unmatched if unit == "lines" else None,
        )


@dataclass
class ParallelReadStats:
    """What reading skipped: pairs blank on a side, lines dropped as listed suspect, and the 1-based lines
    excluded because their target side shares a sentence with an evaluation split (`exclude`)."""

    blank: int = 0
    dropped: int = 0
    excluded: list[int] = field(default_factory=list)


def read_parallel(source_path: str | Path, target_path: str | Path, tokenize: bool = True, max_pairs: int | None = None,
                  skip_lines: frozenset[int] | set[int] = frozenset(), stats: ParallelReadStats | None = None,
                  exclude: Callable[[list[str]], bool] | None = None) -> list[tuple[list[str], list[str]]]:
    """Pairs of word lists from two line-aligned files; blank-on-either-side lines, the 1-based `skip_lines` (a
    corpus's list of suspect lines) and pairs whose target words `exclude` refuses are skipped and counted in
    `stats` (only those met before `max_pairs` pairs are kept)."""
    stats = stats if stats is not None else ParallelReadStats()
    source_lines = read_lines(source_path)
    target_lines = read_lines(target_path)
    check_same_length(source_path, len(source_lines), target_path, len(target_lines))
    pairs = []
    for number, (source, target) in enumerate(zip(source_lines, target_lines), start=1):
        if number in skip_lines:
            stats.dropped += 1
            continue
        source_words = split_words(source) if tokenize else source.split()
        target_words = split_words(target) if tokenize else target.split()
        if not (source_words and target_words):
            stats.blank += 1
        elif exclude is not None and exclude(target_words):
            stats.excluded.append(number)
        else:
            pairs.append((source_words, target_words))
        if max_pairs is not None and len(pairs) >= max_pairs:
            break
    return pairs


def read_line_numbers(path: str | Path, line_count: int | None = None) -> frozenset[int]:
    """A list of 1-based line numbers, one per line (e.g. `train.suspect_lines.txt`); each must be a whole
    number from 1 to `line_count` (the corpus length), else a file:line error."""
    numbers = set()
    for number, text in iter_lines(path):
        if not text.strip():
            continue
        if not text.strip().isdigit() or int(text) < 1:
            raise InputError(path, f"expected a line number (a whole number >= 1), got '{text.strip()[:40]}'", number)
        if line_count is not None and int(text) > line_count:
            raise InputError(path, f"line {int(text)} is past the end of the corpus ({line_count} lines)", number)
        numbers.add(int(text))
    return frozenset(numbers)


@dataclass(frozen=True)
class CaptionMeta:
    """Where a caption comes from: its image and the region (x, y, width, height in pixels) it describes."""

    image_id: int
    x: int
    y: int
    width: int
    height: int


def read_caption_meta(path: str | Path) -> list[CaptionMeta]:
    """A `<split>.meta.tsv` of a caption corpus: `image_id x y width height` per caption, tab-separated."""
    records = []
    for number, text in iter_lines(path):
        fields = text.split("\t")
        if len(fields) != 5 or not all(f.strip().lstrip("-").isdigit() for f in fields):
            raise InputError(path, f"expected 5 tab-separated whole numbers (image id, x, y, width, height), got '{text[:60]}'", number)
        records.append(CaptionMeta(*(int(f) for f in fields)))
    return records
