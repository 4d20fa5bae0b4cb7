"""Word-alignment quality against gold sure/possible links: AER, precision, recall."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from xner.data.alignment import Alignment
from xner.data.parallel import check_same_length
from xner.data.textfile import iter_lines
from xner.errors import InputError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GoldAlignment:
    """Gold links of one pair, 0-based; `possible` includes `sure`."""

    sure: frozenset[tuple[int, int]]
    possible: frozenset[tuple[int, int]]


def read_gold_alignments(path: str | Path, one_based: bool = True) -> list[GoldAlignment]:
    """`i-j` sure and `ipj` possible links per line (1-based in the awesome-align gold files)."""
    shift = 1 if one_based else 0
    gold = []
    for number, line in iter_lines(path):
        sure, possible = set(), set()
        for link in line.split():
            separator = "-" if "-" in link else "p"
            try:
                i, j = (int(x) - shift for x in link.split(separator))
            except ValueError:
                raise InputError(path, f"bad alignment link {link!r} (expected i-j or ipj)", number) from None
            if i < 0 or j < 0:
                raise InputError(path, f"link {link!r} is not {shift}-based", number)
            (sure if separator == "-" else possible).add((i, j))
        gold.append(GoldAlignment(frozenset(sure), frozenset(possible | sure)))
    return gold


def read_gold_pairs(path: str | Path) -> list[tuple[list[str], list[str]]]:
    """`source words ||| target words` lines."""
    pairs = []
    for number, line in iter_lines(path):
        if "|||" not in line:
            raise InputError(path, "expected 'source words ||| target words'", number)
        source, target = line.split("|||", 1)
        pairs.append((source.split(), target.split()))
    return pairs


def alignment_scores(predicted: Sequence[Alignment], gold: Sequence[GoldAlignment]) -> dict[str, float]:
    """Corpus-level AER = 1 - (|A∩S| + |A∩P|) / (|A| + |S|), precision |A∩P|/|A|, recall |A∩S|/|S|."""
    if len(predicted) != len(gold):
        raise ValueError(f"{len(predicted)} predicted alignments for {len(gold)} gold ones")
    a = s = a_s = a_p = 0
    for alignment, reference in zip(predicted, gold):
        links = alignment.pairs()
        a += len(links)
        s += len(reference.sure)
        a_s += len(links & reference.sure)
        a_p += len(links & reference.possible)
    return {
        "aer": 1.0 - (a_s + a_p) / (a + s) if a + s else 0.0,
        "precision": a_p / a if a else 0.0,
        "recall": a_s / s if s else 0.0,
        "links": float(a),
    }


def load_gold_set(pairs_path: str | Path, gold_path: str | Path, strict: bool = False
                  ) -> tuple[list[tuple[list[str], list[str]]], list[GoldAlignment], int]:
    """Sentence pairs, their gold links and the number of gold links dropped for lying outside the pair.

    The public ja-en set has 6 such links (last-token off-by-one); `strict` makes any of them an error.
    """
    pairs, gold = read_gold_pairs(pairs_path), read_gold_alignments(gold_path)
    check_same_length(pairs_path, len(pairs), gold_path, len(gold))
    dropped = 0
    for index, ((source, target), reference) in enumerate(zip(pairs, gold), start=1):
        outside = {(i, j) for i, j in reference.possible if i >= len(source) or j >= len(target)}
        if not outside:
            continue
        i, j = min(outside)
        problem = f"link {i + 1}-{j + 1} lies outside a {len(source)}x{len(target)} sentence pair"
        if strict:
            raise InputError(gold_path, problem, index)
        log.warning("%s:%d: %s; dropping %d such link(s)", gold_path, index, problem, len(outside))
        dropped += len(outside)
        gold[index - 1] = GoldAlignment(reference.sure - outside, reference.possible - outside)
    return pairs, gold, dropped
