"""Candidate-matching projection (the reference paper's method): extract target candidates, score every
(source entity, candidate) pair, and solve the matching exactly (ILP / DP) or greedily."""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Annotated, Literal, Sequence

import numpy as np

from xner.data.alignment import Alignment
from xner.data.records import EntitySpan, Sentence
from xner.errors import ConfigError
from xner.progress import progress
from xner.project.base import ProjectionStats, Projector, check_inputs
from xner.project.candidates import CandidateExtractor
from xner.project.scores import MatchingScorer
from xner.options import Count, Positive, Range
from xner.project.solvers import SOLVERS, Constraint, MatchingProblem, Solver, count_bounds, solve

log = logging.getLogger(__name__)


TIE_EPSILON = 1e-6  # far below any real score difference (scores are ratios of small integers)


def relative_distance(source: Sentence, n_target: int, spans: np.ndarray) -> np.ndarray:
    """|relative centre of entity - relative centre of candidate|, in [0, 1], per (entity, candidate)."""
    centres = np.array([(e.start + e.end) / 2 / len(source) for e in sorted(source.spans)])
    candidate_centres = spans.sum(axis=1) / 2 / n_target
    return np.abs(centres[:, None] - candidate_centres[None, :])


def _solve_chunk(args):
    problems, kwargs = args
    return solve(problems, **kwargs)


class CandidateMatchingProjector(Projector):
    """Projects every source entity onto at most/exactly/at least `n_projected` non-overlapping target
    candidates, maximising the summed matching score.

    `solver`: milp (HiGHS, batched), pulp (CBC per sentence), greedy, dp (exact `<= 1`). Sentences are
    solved in chunks of `chunk_size`, in `n_jobs` processes (1: in this process; -1: all cores).
    With `tie_break`, equal scores are decided by position, so every exact solver returns the same matching.
    """

    def __init__(self, candidates: CandidateExtractor, scorer: MatchingScorer, solver: Solver = "milp",
                 constraint: Constraint = "<=", n_projected: Count = 1, min_score: float = 0.0,
                 n_jobs: Annotated[int, Range(-1)] = 1, chunk_size: Positive = 400,
                 pulp_backend: Literal["cbc", "highs"] = "cbc", dp_max_entities: Positive = 12, tie_break: bool = True):
        if solver not in SOLVERS:
            raise ConfigError(f"unknown matching solver '{solver}'", list(SOLVERS))
        count_bounds(constraint, n_projected)
        if solver == "dp" and not ((constraint == "<=" and n_projected == 1) or (constraint == "<" and n_projected == 2)):
            raise ConfigError(f"solver=dp solves '<= 1' exactly; for '{constraint} {n_projected}' use solver=milp")
        self.candidates, self.scorer = candidates, scorer
        self.solver_options = dict(solver=solver, constraint=constraint, n=n_projected, min_score=min_score,
                                   pulp_backend=pulp_backend, dp_max_entities=dp_max_entities)
        self.n_jobs = (os.cpu_count() or 1) if n_jobs == -1 else max(1, n_jobs)
        self.chunk_size = chunk_size
        self.tie_break = tie_break  # among equal scores prefer the candidate nearest the entity's relative position

    def problem(self, source: Sentence, target: Sequence[str], alignment: Alignment, index: int) -> MatchingProblem:
        grid = alignment.matrix(len(source), len(target))
        spans = self.candidates.extract(source, len(target), grid, index) if source.spans else np.zeros((0, 2), np.int32)
        scores = self.scorer.score(source, target, grid, spans, index) if len(spans) else np.zeros((len(source.spans), 0))
        if self.tie_break and len(spans):
            scores = np.where(scores > 0, scores - TIE_EPSILON * relative_distance(source, len(target), spans), 0.0)
        return MatchingProblem(len(target), spans, scores)

    def project(self, source: Sentence, target_tokens: Sequence[str], alignment: Alignment) -> list[EntitySpan]:
        return list(self.project_corpus([source], [target_tokens], [alignment])[0].spans)

    def project_corpus(self, sources, targets, alignments, stats: ProjectionStats | None = None) -> list[Sentence]:
        check_inputs(sources, targets, alignments)
        stats = stats if stats is not None else ProjectionStats()
        started = time.perf_counter()
        problems = [self.problem(s, t, a, i) for i, (s, t, a) in
                    enumerate(progress(list(zip(sources, targets, alignments)), desc="candidates", leave=False))]
        scored = time.perf_counter()
        chunks = [problems[i : i + self.chunk_size] for i in range(0, len(problems), self.chunk_size)]
        if self.n_jobs > 1 and len(chunks) > 1:
            with ProcessPoolExecutor(self.n_jobs) as pool:
                solved = list(pool.map(_solve_chunk, [(chunk, self.solver_options) for chunk in chunks]))
        else:
            solved = [_solve_chunk((chunk, self.solver_options)) for chunk in chunks]
        matchings = [m for chunk in solved for m in chunk]
        finished = time.perf_counter()
        projected, objective, unmatched, relaxed = [], 0.0, 0, 0
        for source, target, matching in zip(sources, targets, matchings):
            entities = sorted(source.spans)
            spans = [EntitySpan(start, end, entities[e].label) for e, start, end in matching.chosen]
            projected.append(Sentence(tuple(target), tuple(spans)))
            objective += matching.objective
            unmatched += len(entities) - len({e for e, _, _ in matching.chosen})
            relaxed += matching.relaxed
            stats.source_entities += len(entities)
            stats.projected_entities += len(spans)
        stats.sentences += len(sources)
        n = max(len(sources), 1)
        stats.extra.update({
            "objective": objective,
            "unmatched_share": unmatched / stats.source_entities if stats.source_entities else 0.0,
            "candidates_per_sentence": sum(len(p.spans) for p in problems) / n,
            "pairs_per_sentence": sum(int((p.scores > self.solver_options["min_score"]).sum()) for p in problems) / n,
            "relaxed_sentences": float(relaxed),
            "candidate_seconds": scored - started,
            "solve_seconds": finished - scored,
            "solve_ms_per_sentence": 1000 * (finished - scored) / n,
        })
        return projected
