"""Alignment-heuristic projection: aligned runs of target words, merged, filtered, kept top-k."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from xner.data.alignment import Alignment
from xner.data.records import EntitySpan, Sentence
from xner.errors import ConfigError
from xner.options import Count, Positive, PositiveFloat
from xner.project.base import Projector


def aligned_runs(marked: np.ndarray) -> list[tuple[int, int]]:
    """Maximal [start, end) runs of True in a boolean vector."""
    padded = np.concatenate(([False], marked, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def merge_runs(runs: list[tuple[int, int]], max_gap: int, blocked_starts: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Merge runs separated by at most `max_gap` words, unless the right run starts at a blocked word."""
    merged: list[tuple[int, int]] = []
    for start, end in runs:
        if merged and start - merged[-1][1] <= max_gap and not (blocked_starts is not None and blocked_starts[start]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


class HeuristicProjector(Projector):
    """The classic projection baseline over word alignments.

    For each source entity, shortest first: target words aligned to any of its words form runs;
    runs at most `merge_distance` words apart merge (with `merge_only_i`, not when the right run
    starts at a word aligned to the entity's first word, i.e. a likely second mention); candidates
    shorter than `length_ratio_threshold` x the entity length are dropped; the `top_k` longest are
    labelled unless they overlap an already projected entity.
    """

    def __init__(self, merge_distance: Count = 1, merge_only_i: bool = False, top_k: Positive | None = 1,
                 length_ratio_threshold: PositiveFloat | None = None):
        if merge_distance < 0:
            raise ConfigError(f"projector.merge_distance must be >= 0, got {merge_distance}")
        if top_k is not None and top_k < 1:
            raise ConfigError(f"projector.top_k must be >= 1 or null, got {top_k}")
        self.merge_distance = merge_distance
        self.merge_only_i = merge_only_i
        self.top_k = top_k
        self.length_ratio_threshold = length_ratio_threshold

    def project(self, source: Sentence, target_tokens: Sequence[str], alignment: Alignment) -> list[EntitySpan]:
        grid = alignment.matrix(len(source), len(target_tokens))
        taken = np.zeros(len(target_tokens), dtype=bool)
        projected: list[EntitySpan] = []
        for entity in sorted(source.spans, key=lambda span: (len(span), span.start)):
            rows = grid[entity.start : entity.end]
            runs = aligned_runs(rows.any(axis=0))
            blocked = rows[0] if self.merge_only_i else None
            candidates = merge_runs(runs, self.merge_distance, blocked)
            if self.length_ratio_threshold is not None:
                candidates = [c for c in candidates if (c[1] - c[0]) / len(entity) >= self.length_ratio_threshold]
            candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
            for start, end in candidates[: self.top_k]:
                if not taken[start:end].any():
                    taken[start:end] = True
                    projected.append(EntitySpan(start, end, entity.label))
        return sorted(projected)
