"""Paired bootstrap confidence intervals for differences in entity-level micro F1: test sentences are resampled
(the same resample for both systems), and, where a cell has several seeds, its runs too (Koehn 2004; Dror et al. 2018)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from xner.data.records import Sentence

RESAMPLES = 1000
LEVEL = 0.95


def sentence_counts(gold: Sequence[Sentence], predicted: Sequence[Sentence]) -> np.ndarray:
    """(n, 3) true positives, false positives, false negatives per sentence (exact span and type matches)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold sentences but {len(predicted)} predicted")
    counts = np.zeros((len(gold), 3), dtype=np.int64)
    for i, (g, p) in enumerate(zip(gold, predicted)):
        gold_spans, predicted_spans = set(g.spans), set(p.spans)
        tp = len(gold_spans & predicted_spans)
        counts[i] = (tp, len(predicted_spans) - tp, len(gold_spans) - tp)
    return counts


def f1(counts: np.ndarray) -> np.ndarray:
    """Micro F1 of summed counts (last axis tp, fp, fn); 0 where there is nothing to find or found."""
    tp, fp, fn = counts[..., 0], counts[..., 1], counts[..., 2]
    denominator = 2 * tp + fp + fn
    return np.where(denominator > 0, 2 * tp / np.maximum(denominator, 1), 0.0)


@dataclass(frozen=True)
class Interval:
    """A difference (system minus baseline) with its bootstrap interval."""

    estimate: float
    low: float
    high: float
    resamples: int
    level: float = LEVEL

    @property
    def verdict(self) -> str:
        """'win' / 'loss' where the interval excludes 0, else 'tie'."""
        return "win" if self.low > 0 else "loss" if self.high < 0 else "tie"

    def __str__(self) -> str:
        return f"{self.estimate:+.3f} [{self.low:+.3f}, {self.high:+.3f}]"


def _replicates(systems: Sequence[Sequence[np.ndarray]], rng: np.random.Generator, resamples: int) -> np.ndarray:
    """(len(systems), resamples) F1 of each system on the same sentence resamples, each averaged over its runs
    drawn with replacement (one run: that run)."""
    n = systems[0][0].shape[0]
    if any(c.shape[0] != n for runs in systems for c in runs):
        raise ValueError("paired systems must be scored on the same test sentences")
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=resamples) if n else np.zeros((resamples, 0), dtype=np.int64)
    out = np.empty((len(systems), resamples))
    for s, runs in enumerate(systems):
        scores = np.stack([f1(weights @ c) for c in runs])  # (runs, resamples)
        if len(runs) == 1:
            out[s] = scores[0]
        else:
            picks = rng.integers(0, len(runs), size=(resamples, len(runs)))
            out[s] = scores[picks, np.arange(resamples)[:, None]].mean(axis=1)
    return out


def point(runs: Sequence[np.ndarray]) -> float:
    """Mean F1 over a cell's runs."""
    return float(np.mean([f1(c.sum(axis=0)) for c in runs]))


def paired_difference(system: Sequence[np.ndarray], baseline: Sequence[np.ndarray], resamples: int = RESAMPLES,
                      seed: int = 0, level: float = LEVEL) -> Interval:
    """F1(system) - F1(baseline) on one test set; each argument lists the per-sentence counts of its runs (seeds)."""
    return mean_difference([(system, baseline)], resamples, seed, level)


def mean_difference(pairs: Sequence[tuple[Sequence[np.ndarray], Sequence[np.ndarray]]], resamples: int = RESAMPLES,
                    seed: int = 0, level: float = LEVEL) -> Interval:
    """The mean over test sets (languages) of F1(system) - F1(baseline), each test set resampled on its own."""
    if not pairs:
        raise ValueError("no paired cells")
    rng = np.random.default_rng(seed)
    total = np.zeros(resamples)
    for system, baseline in pairs:
        if not system or not baseline:
            raise ValueError("a paired cell has no runs")
        replicate = _replicates([system, baseline], rng, resamples)
        total += replicate[0] - replicate[1]
    total /= len(pairs)
    estimate = float(np.mean([point(s) - point(b) for s, b in pairs]))
    tail = (1 - level) / 2
    low, high = np.quantile(total, [tail, 1 - tail])
    return Interval(estimate, float(low), float(high), resamples, level)
