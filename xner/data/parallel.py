"""Line-aligned parallel text: sentence k of one file translates sentence k of the other."""

from __future__ import annotations

from pathlib import Path

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


def read_parallel(source_path: str | Path, target_path: str | Path, tokenize: bool = True, max_pairs: int | None = None) -> list[tuple[list[str], list[str]]]:
    """Pairs of word lists from two line-aligned files; blank-on-either-side lines are skipped."""
    source_lines = read_lines(source_path)
    target_lines = read_lines(target_path)
    check_same_length(source_path, len(source_lines), target_path, len(target_lines))
    pairs = []
    for source, target in zip(source_lines, target_lines):
        source_words = split_words(source) if tokenize else source.split()
        target_words = split_words(target) if tokenize else target.split()
        if source_words and target_words:
            pairs.append((source_words, target_words))
        if max_pairs is not None and len(pairs) >= max_pairs:
            break
    return pairs
