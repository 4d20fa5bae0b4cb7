"""Matching scores c[e, t] >= 0 between source entities e and target candidates t."""

from __future__ import annotations

from abc import ABC, abstractmethod
from difflib import SequenceMatcher
from typing import Annotated, Mapping, Sequence

import numpy as np

from xner.data.records import Sentence
from xner.errors import ConfigError
from xner.options import Fraction, NonNegative, Range
from xner.project.base import TARGET_MODEL


class MatchingScorer(ABC):
    """Scores every (entity, candidate) pair of one sentence pair."""

    @abstractmethod
    def score(self, source: Sentence, target: Sequence[str], grid: np.ndarray, candidates: np.ndarray, index: int) -> np.ndarray:
        """(n_entities, n_candidates) non-negative scores; entities in sorted span order."""


class AlignmentScorer(MatchingScorer):
    """2 * (links between entity and candidate words) / (len(entity) + len(candidate)): 1.0 for a
    one-to-one alignment of equal-length spans, and shorter candidates win ties in link count."""

    def score(self, source, target, grid, candidates, index):
        entities = sorted(source.spans)
        scores = np.zeros((len(entities), len(candidates)), dtype=np.float64)
        if not len(candidates):
            return scores
        starts, ends = candidates[:, 0], candidates[:, 1]
        lengths = ends - starts
        for row, entity in enumerate(entities):
            per_word = grid[entity.start : entity.end].sum(axis=0)  # links of each target word to the entity
            prefix = np.concatenate(([0], np.cumsum(per_word)))
            scores[row] = 2.0 * (prefix[ends] - prefix[starts]) / (len(entity) + lengths)
        return scores


class NerScorer(MatchingScorer):
    """alpha^(len(t)-1) * (p[start, B-l] + sum p[w, I-l]) / len(t) from word-level tag probabilities of a
    target NER model (`probabilities[index]`: (n_words, n_tags) array, `tags`: its tag names); with
    `class_agnostic`, the best label instead of the entity's. `probabilities="target_model"`: the run's model-transfer
    model supplies them (bound by the projection stage)."""

    def __init__(self, probabilities: "Sequence[np.ndarray] | str", tags: Sequence[str] | None = None,
                 alpha: Annotated[float, Range(1, lo_open=True)] = 1.2,
                 class_agnostic: bool = False):
        if alpha <= 1:
            raise ConfigError(f"NER score alpha must be > 1, got {alpha}")
        self.alpha, self.class_agnostic = alpha, class_agnostic
        self.probabilities, self.tags = None, None
        if isinstance(probabilities, str) and probabilities == TARGET_MODEL:
            return
        if isinstance(probabilities, str):  # an .npz file: arrays sentence_0..N-1 and `tags`
            probabilities, tags = load_tag_probabilities(probabilities)
        if tags is None:
            raise ConfigError("the NER score needs the tag names of the probability columns")
        self.bind_target_model(probabilities, tags)

    @property
    def needs_target_model(self) -> bool:
        return self.probabilities is None

    def bind_target_model(self, probabilities: Sequence[np.ndarray], tags: Sequence[str]) -> None:
        self.probabilities, self.tags = probabilities, list(tags)

    def _label_scores(self, probs: np.ndarray, label: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        if f"B-{label}" not in self.tags:
            return np.zeros(len(starts))
        begin = probs[:, self.tags.index(f"B-{label}")]
        inside = probs[:, self.tags.index(f"I-{label}")] if f"I-{label}" in self.tags else np.zeros(len(probs))
        prefix = np.concatenate(([0.0], np.cumsum(inside)))
        lengths = ends - starts
        return self.alpha ** (lengths - 1) * (begin[starts] + prefix[ends] - prefix[starts + 1]) / lengths

    def score(self, source, target, grid, candidates, index):
        if self.probabilities is None:
            raise ConfigError("the NER score's probabilities='target_model' are bound by a projection experiment's stage")
        entities = sorted(source.spans)
        scores = np.zeros((len(entities), len(candidates)))
        if not len(candidates):
            return scores
        probs = np.asarray(self.probabilities[index], dtype=np.float64)
        starts, ends = candidates[:, 0], candidates[:, 1]
        labels = sorted({tag[2:] for tag in self.tags if tag != "O"})
        by_label = {label: self._label_scores(probs, label, starts, ends) for label in labels}
        best = np.max(list(by_label.values()), axis=0) if by_label else np.zeros(len(starts))
        for row, entity in enumerate(entities):
            scores[row] = best if self.class_agnostic else by_label.get(entity.label, np.zeros(len(starts)))
        return scores


def load_tag_probabilities(path: str) -> tuple[list[np.ndarray], list[str]]:
    """Word-level tag probabilities of a target NER model saved as .npz (sentence_<i> arrays + `tags`)."""
    from xner.errors import InputError

    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise InputError(path, f"cannot read NER probabilities: {error}") from None
    if "tags" not in data:
        raise InputError(path, "no 'tags' array (the tag name of each probability column)")
    count = sum(1 for key in data.files if key.startswith("sentence_"))
    return [data[f"sentence_{i}"] for i in range(count)], [str(t) for t in data["tags"]]


class StringSimilarityScorer(MatchingScorer):
    """Character similarity of entity and candidate (names are often copied or transliterated): an offline
    stand-in where no translation model is available; scores below `min_similarity` are 0."""

    def __init__(self, min_similarity: Fraction = 0.5, lowercase: bool = True):
        self.min_similarity, self.lowercase = min_similarity, lowercase

    def score(self, source, target, grid, candidates, index):
        entities = sorted(source.spans)
        norm = (lambda s: s.lower()) if self.lowercase else (lambda s: s)
        scores = np.zeros((len(entities), len(candidates)))
        for row, entity in enumerate(entities):
            text = norm(" ".join(source.tokens[entity.start : entity.end]))
            for col, (start, end) in enumerate(candidates):
                ratio = SequenceMatcher(None, text, norm(" ".join(target[start:end]))).ratio()
                scores[row, col] = ratio if ratio >= self.min_similarity else 0.0
        return scores


class FusedScorer(MatchingScorer):
    """sum_k lambda_k * c_k, the weights optionally per entity class (`per_class[label][name]`)."""

    def __init__(self, scorers: Mapping[str, MatchingScorer], weights: Mapping[str, NonNegative],
                 per_class: Mapping[str, Mapping[str, NonNegative]] | None = None):
        unknown = set(weights) - set(scorers)
        if unknown:
            raise ConfigError(f"fused score weights name unknown scorers {sorted(unknown)}", list(scorers))
        if any(w < 0 for w in weights.values()):
            raise ConfigError("fused score weights must be >= 0")
        self.scorers, self.weights, self.per_class = dict(scorers), dict(weights), {k: dict(v) for k, v in (per_class or {}).items()}

    def score(self, source, target, grid, candidates, index):
        entities = sorted(source.spans)
        total = np.zeros((len(entities), len(candidates)))
        for name, scorer in self.scorers.items():
            part = scorer.score(source, target, grid, candidates, index)
            weights = np.array([self.per_class.get(e.label, self.weights).get(name, 0.0) for e in entities])
            total += weights[:, None] * part
        return total
