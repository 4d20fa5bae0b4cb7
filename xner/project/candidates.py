"""Target candidate spans for candidate-matching projection (spans are [start, end) word ranges)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Sequence

import numpy as np

from xner.data.records import Sentence
from xner.options import Count, Positive
from xner.project.base import TARGET_MODEL


def as_spans(pairs: "Sequence[tuple[int, int]] | set[tuple[int, int]]") -> np.ndarray:
    """A sorted, duplicate-free (n, 2) int array of spans."""
    array = np.asarray(sorted(set(pairs)), dtype=np.int32).reshape(-1, 2)
    return array


class CandidateExtractor(ABC):
    """Proposes target spans for one sentence pair."""

    @abstractmethod
    def extract(self, source: Sentence, n_target: int, grid: np.ndarray, index: int) -> np.ndarray:
        """(n, 2) array of [start, end) spans; `grid` is the source x target link matrix, `index` the sentence number."""


class NgramCandidates(CandidateExtractor):
    """Every span of 1..M words, M = `max_length` or the longest source entity + `margin`."""

    def __init__(self, max_length: Positive | None = None, margin: Count = 1):
        self.max_length, self.margin = max_length, margin

    def extract(self, source, n_target, grid, index):
        longest = max((len(span) for span in source.spans), default=0)
        limit = min(self.max_length or longest + self.margin, n_target)
        if limit <= 0 or not source.spans:
            return np.zeros((0, 2), dtype=np.int32)
        starts = np.concatenate([np.arange(n_target - length + 1) for length in range(1, limit + 1)])
        lengths = np.concatenate([np.full(n_target - length + 1, length) for length in range(1, limit + 1)])
        return np.stack([starts, starts + lengths], axis=1).astype(np.int32)


class AlignedCandidates(CandidateExtractor):
    """Runs of target words aligned to an entity, plus every chain of consecutive runs whose gaps are
    at most `max_gap` words (so both the parts and the merged range are candidates)."""

    def __init__(self, max_gap: Count = 1):
        self.max_gap = max_gap

    def extract(self, source, n_target, grid, index):
        from xner.project.heuristic import aligned_runs

        spans: set[tuple[int, int]] = set()
        for entity in source.spans:
            runs = aligned_runs(grid[entity.start : entity.end].any(axis=0))
            for first in range(len(runs)):
                spans.add(runs[first])
                for last in range(first + 1, len(runs)):
                    if runs[last][0] - runs[last - 1][1] > self.max_gap:
                        break
                    spans.add((runs[first][0], runs[last][1]))
        return as_spans(spans)


class NerSpanCandidates(CandidateExtractor):
    """Entity spans a target-side NER model predicted, read from a CoNLL file of the target sentences, or
    (`predictions="target_model"`) the IOB2-repaired argmax of the run's model-transfer model (bound by the stage)."""

    def __init__(self, predictions: str):
        self.path, self.sentences = Path(predictions), None
        if predictions != TARGET_MODEL:
            from xner.data.conll import read_conll

            self.sentences = read_conll(self.path)

    @property
    def needs_target_model(self) -> bool:
        return self.sentences is None

    def bind_target_model(self, probabilities: Sequence[np.ndarray], tags: Sequence[str]) -> None:
        from xner.data.iob import argmax_spans

        self.sentences = [Sentence(tuple("_" * len(p)), tuple(argmax_spans(p, tags))) for p in probabilities]

    def extract(self, source, n_target, grid, index):
        if self.sentences is None:
            from xner.errors import ConfigError

            raise ConfigError("NER-span candidates with predictions='target_model' are bound by a projection experiment's stage")
        if index >= len(self.sentences) or len(self.sentences[index]) != n_target:
            from xner.errors import InputError

            raise InputError(self.path, f"sentence {index + 1} does not match the target sentence ({n_target} words)")
        return as_spans((span.start, span.end) for span in self.sentences[index].spans)


class UnionCandidates(CandidateExtractor):
    """The union of several extractors' spans."""

    def __init__(self, extractors: Sequence[CandidateExtractor]):
        self.extractors = list(extractors)

    def extract(self, source, n_target, grid, index):
        parts = [extractor.extract(source, n_target, grid, index) for extractor in self.extractors]
        return np.unique(np.concatenate(parts, axis=0), axis=0) if parts else np.zeros((0, 2), dtype=np.int32)
