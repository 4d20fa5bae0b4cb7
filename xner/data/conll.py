"""Two-column CoNLL reading and writing (`token TAG`, space or tab separated, IOB2)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from xner.data.iob import iob2_problems, repair_iob2, spans_to_tags, tags_to_spans
from xner.data.records import Sentence
from xner.data.textfile import iter_lines
from xner.errors import InputError
from xner.io import atomic_open


@dataclass
class ConllReadStats:
    """What reading repaired, so runs can log it."""

    sentences: int = 0
    tokens: int = 0
    repaired_tags: int = 0


def _split_columns(line: str) -> list[str]:
    return line.split("\t") if "\t" in line else line.split()


def read_conll(path: str | Path, repair_iob: bool = False, stats: ConllReadStats | None = None) -> list[Sentence]:
    """Sentences of a two-column CoNLL file; `-DOCSTART-` lines are skipped.

    Invalid IOB2 (an I- tag that continues nothing) is an error naming the line, or, with
    `repair_iob`, becomes a B- tag and is counted in `stats`.
    """
    stats = stats if stats is not None else ConllReadStats()
    sentences: list[Sentence] = []
    tokens: list[str] = []
    tags: list[str] = []
    line_numbers: list[int] = []

    def flush() -> None:
        if not tokens:
            return
        problems = iob2_problems(tags)
        fixed = list(tags)
        if problems:
            malformed = [p for p in problems if not p.problem.startswith("orphan")]
            if malformed or not repair_iob:
                first = (malformed or problems)[0]
                hint = "" if malformed else " (set data.repair_iob=true to turn it into B-)"
                raise InputError(path, first.problem + hint, line_numbers[first.index])
            fixed, repairs = repair_iob2(tags)
            stats.repaired_tags += repairs
        sentences.append(Sentence(tuple(tokens), tuple(tags_to_spans(fixed))))
        stats.sentences += 1
        stats.tokens += len(tokens)
        tokens.clear()
        tags.clear()
        line_numbers.clear()

    for number, line in iter_lines(path):
        if not line.strip():
            flush()
            continue
        columns = _split_columns(line.strip())
        if columns[0] == "-DOCSTART-":
            flush()
            continue
        if len(columns) != 2:
            odd = sorted({f"U+{ord(ch):04X}" for ch in line.strip() if ch.isspace() and ch not in " \t"})
            hint = f" (the line holds whitespace other than spaces and tabs: {', '.join(odd)})" if odd else ""
            raise InputError(path, f"expected 2 columns (token and tag), found {len(columns)}: {line.strip()[:60]!r}{hint}", number)
        if any(ch.isspace() for ch in columns[0]):
            raise InputError(path, f"token {columns[0][:40]!r} contains whitespace (a token is one word; aligners split on "
                                   "whitespace)", number)
        tokens.append(columns[0])
        tags.append(columns[1])
        line_numbers.append(number)
    flush()
    if not sentences:
        raise InputError(path, "no sentences found")
    return sentences


def write_conll(path: str | Path, sentences: Iterable[Sentence], separator: str = "\t") -> None:
    """Write sentences as `token<sep>TAG` lines, a blank line after each sentence, atomically."""
    with atomic_open(path, "w") as handle:
        for sentence in sentences:
            for token, tag in zip(sentence.tokens, spans_to_tags(sentence.spans, len(sentence))):
                handle.write(f"{token}{separator}{tag}\n")
            handle.write("\n")
