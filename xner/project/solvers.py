"""Matching solvers: choose (entity, candidate) pairs maximising the summed score, each entity matched
`n` times under a constraint (<=, =, >=, <, >), no target word covered by two chosen candidates.

- `milp`: one block-diagonal integer program for a whole batch of sentences, sparse, solved by HiGHS
  through scipy.optimize.milp (word-coverage rows: m rows per sentence instead of pairwise overlaps);
- `pulp`: the same program per sentence through PuLP (CBC, or HiGHS), readable and used as a cross-check;
- `greedy`: best pair first, skipping conflicts (feasible for <=; may miss = and >=);
- `dp`: exact dynamic program over target positions x set of used entities for `<= 1` (no solver).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal, Sequence, get_args

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from xner.errors import ConfigError

log = logging.getLogger(__name__)
Constraint = Literal["<=", "=", ">=", "<", ">"]
Solver = Literal["milp", "pulp", "greedy", "dp"]
CONSTRAINTS = get_args(Constraint)
SOLVERS = get_args(Solver)


@dataclass
class MatchingProblem:
    """One sentence: `scores[e, t]` for entity e and candidate span `spans[t]` over `n_words` target words."""

    n_words: int
    spans: np.ndarray
    scores: np.ndarray

    def pairs(self, min_score: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Entity index, candidate index and score of every pair scoring above `min_score`."""
        entity, candidate = np.nonzero(self.scores > min_score)
        return entity, candidate, self.scores[entity, candidate]


@dataclass
class Matching:
    """Chosen pairs of one sentence: entity index -> list of spans, and the objective value."""

    chosen: list[tuple[int, int, int]]  # (entity, start, end)
    objective: float
    relaxed: bool = False  # an infeasible = / >= instance solved as <=


def count_bounds(constraint: str, n: int) -> tuple[float, float]:
    """Lower/upper bound on each entity's number of projections."""
    if constraint not in CONSTRAINTS:
        raise ConfigError(f"unknown matching constraint '{constraint}'", list(CONSTRAINTS))
    return {"<=": (-np.inf, n), "=": (n, n), ">=": (n, np.inf), "<": (-np.inf, n - 1), ">": (n + 1, np.inf)}[constraint]


def _build_block(problems: Sequence[MatchingProblem], constraint: str, n: int, min_score: float):
    """Variables, constraint matrix and bounds of the block-diagonal program over all problems."""
    entity_ids, starts, ends, scores, owner = [], [], [], [], []
    entity_offset = word_offset = 0
    entity_rows_used = []
    word_offsets = []
    for index, problem in enumerate(problems):
        e, t, c = problem.pairs(min_score)
        entity_ids.append(e + entity_offset)
        starts.append(problem.spans[t, 0] + word_offset)
        ends.append(problem.spans[t, 1] + word_offset)
        scores.append(c)
        owner.append(np.full(len(c), index))
        entity_rows_used.append(np.unique(e) + entity_offset)  # entities without pairs get no row
        word_offsets.append(word_offset)
        entity_offset += problem.scores.shape[0]
        word_offset += problem.n_words
    entity_ids, starts, ends = (np.concatenate(x).astype(np.int64) for x in (entity_ids, starts, ends))
    scores, owner = np.concatenate(scores), np.concatenate(owner)
    used_entities = np.concatenate(entity_rows_used).astype(np.int64)
    n_vars = len(scores)
    # entity rows: one per entity that has at least one pair
    entity_row = np.searchsorted(used_entities, entity_ids)
    a_entity = sparse.csr_matrix((np.ones(n_vars), (entity_row, np.arange(n_vars))), shape=(len(used_entities), n_vars))
    # word rows: variable v covers words starts[v]..ends[v]-1
    lengths = ends - starts
    var_of_cell = np.repeat(np.arange(n_vars), lengths)
    word_of_cell = np.repeat(starts, lengths) + (np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths))
    a_words = sparse.csr_matrix((np.ones(len(var_of_cell)), (word_of_cell, var_of_cell)), shape=(word_offset, n_vars))
    lower, upper = count_bounds(constraint, n)
    matrix = sparse.vstack([a_entity, a_words], format="csr")
    lb = np.concatenate([np.full(len(used_entities), lower), np.full(word_offset, -np.inf)])
    ub = np.concatenate([np.full(len(used_entities), upper), np.ones(word_offset)])
    return scores, matrix, lb, ub, owner, entity_ids, starts, ends, entity_offset, word_offsets


def _entity_offsets(problems: Sequence[MatchingProblem]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum([p.scores.shape[0] for p in problems])])


def solve_milp(problems: Sequence[MatchingProblem], constraint: str = "<=", n: int = 1, min_score: float = 0.0,
               time_limit: float | None = None) -> list[Matching]:
    """All problems as one sparse MILP for HiGHS; an infeasible batch (= or >=) is re-solved per sentence,
    and a sentence that stays infeasible is solved with <= instead (marked `relaxed`)."""
    results = [Matching([], 0.0) for _ in problems]
    if not problems:
        return results
    scores, matrix, lb, ub, owner, entity_ids, starts, ends, _, word_offsets = _build_block(problems, constraint, n, min_score)
    if not len(scores):
        return results
    options = {"mip_rel_gap": 0.0, **({"time_limit": time_limit} if time_limit else {})}  # exact: keep the tie-break
    result = milp(-scores, integrality=np.ones(len(scores)), bounds=Bounds(0, 1),
                  constraints=LinearConstraint(matrix, lb, ub), options=options)
    if result.status == 2 and len(problems) > 1:  # infeasible: find the culprits sentence by sentence
        return [solve_milp([p], constraint, n, min_score, time_limit)[0] for p in problems]
    if result.status == 2:
        relaxed = solve_milp(problems, "<=", n if constraint != ">" else n + 1, min_score, time_limit)[0]
        relaxed.relaxed = True
        return [relaxed]
    if result.x is None:
        raise RuntimeError(f"HiGHS could not solve the matching ({result.message})")
    offsets = _entity_offsets(problems)
    for v in np.flatnonzero(result.x > 0.5):
        index = owner[v]
        results[index].chosen.append((int(entity_ids[v] - offsets[index]), int(starts[v] - word_offsets[index]),
                                      int(ends[v] - word_offsets[index])))
        results[index].objective += float(scores[v])
    return results


def solve_pulp(problem: MatchingProblem, constraint: str = "<=", n: int = 1, min_score: float = 0.0, backend: str = "cbc") -> Matching:
    """The same program for one sentence, written out with PuLP."""
    import pulp

    entities, candidates, scores = problem.pairs(min_score)
    if not len(scores):
        return Matching([], 0.0)
    model = pulp.LpProblem("projection", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x_{e}_{t}", cat="Binary") for e, t in zip(entities, candidates)]
    model += pulp.lpSum(float(c) * var for c, var in zip(scores, x))
    lower, upper = count_bounds(constraint, n)
    for entity in np.unique(entities):
        total = pulp.lpSum(var for var, e in zip(x, entities) if e == entity)
        if np.isfinite(lower):
            model += total >= lower
        if np.isfinite(upper):
            model += total <= upper
    for word in range(problem.n_words):
        covering = [var for var, t in zip(x, candidates) if problem.spans[t, 0] <= word < problem.spans[t, 1]]
        if len(covering) > 1:
            model += pulp.lpSum(covering) <= 1
    solver = pulp.PULP_CBC_CMD(msg=False, gapRel=0.0) if backend == "cbc" else pulp.HiGHS(msg=False, gapRel=0.0)
    status = model.solve(solver)
    if pulp.LpStatus[status] == "Infeasible":
        relaxed = solve_pulp(problem, "<=", n if constraint != ">" else n + 1, min_score, backend)
        relaxed.relaxed = True
        return relaxed
    chosen = [(int(e), int(problem.spans[t, 0]), int(problem.spans[t, 1])) for var, e, t in zip(x, entities, candidates)
              if var.value() is not None and var.value() > 0.5]
    return Matching(chosen, float(sum(problem.scores[e, t] for var, e, t in zip(x, entities, candidates)
                                      if var.value() is not None and var.value() > 0.5)))


def solve_greedy(problem: MatchingProblem, constraint: str = "<=", n: int = 1, min_score: float = 0.0) -> Matching:
    """Highest score first; a pair is taken if its words are free and its entity is under its cap."""
    entities, candidates, scores = problem.pairs(min_score)
    _, upper = count_bounds(constraint, n)
    taken = np.zeros(problem.n_words, dtype=bool)
    counts = np.zeros(problem.scores.shape[0], dtype=np.int64)
    chosen, objective = [], 0.0
    for v in np.argsort(-scores, kind="stable"):
        e, (start, end) = entities[v], problem.spans[candidates[v]]
        if counts[e] >= upper or taken[start:end].any():
            continue
        taken[start:end] = True
        counts[e] += 1
        chosen.append((int(e), int(start), int(end)))
        objective += float(scores[v])
    return Matching(chosen, objective)


def solve_dp(problem: MatchingProblem, min_score: float = 0.0) -> Matching:
    """Exact `<= 1` matching: dp[position][set of used entities] over target positions (2^E states)."""
    entities, candidates, scores = problem.pairs(min_score)
    n_entities = problem.scores.shape[0]
    if not len(scores):
        return Matching([], 0.0)
    states = 1 << n_entities
    m = problem.n_words
    best = np.full((m + 1, states), -np.inf)
    best[0, 0] = 0.0
    back_pos = np.full((m + 1, states), -1, dtype=np.int64)
    back_pair = np.full((m + 1, states), -1, dtype=np.int64)
    masks = np.arange(states)
    starts = problem.spans[candidates, 0]
    by_start = [np.flatnonzero(starts == pos) for pos in range(m)]
    for pos in range(m):
        row = best[pos]
        improve = row > best[pos + 1]  # skip word pos
        best[pos + 1, improve] = row[improve]
        back_pos[pos + 1, improve] = pos
        back_pair[pos + 1, improve] = -1
        for v in by_start[pos]:
            bit = 1 << int(entities[v])
            source = masks[((masks & bit) == 0) & np.isfinite(row)]
            end = int(problem.spans[candidates[v], 1])
            value = row[source] + scores[v]
            target = source | bit
            better = value > best[end, target]
            best[end, target[better]] = value[better]
            back_pos[end, target[better]] = pos
            back_pair[end, target[better]] = v
    mask = int(np.argmax(best[m]))
    objective = float(best[m, mask])
    chosen, pos = [], m
    while pos > 0:
        v, previous = back_pair[pos, mask], back_pos[pos, mask]
        if v >= 0:
            chosen.append((int(entities[v]), int(problem.spans[candidates[v], 0]), int(problem.spans[candidates[v], 1])))
            mask ^= 1 << int(entities[v])
        pos = previous
    return Matching(sorted(chosen, key=lambda c: c[1]), objective)


def solve(problems: Sequence[MatchingProblem], solver: str, constraint: str = "<=", n: int = 1, min_score: float = 0.0,
          pulp_backend: str = "cbc", dp_max_entities: int = 12) -> list[Matching]:
    """Dispatch a batch to one solver (dp falls back to milp where it does not apply)."""
    count_bounds(constraint, n)
    if solver == "milp":
        return solve_milp(problems, constraint, n, min_score)
    if solver == "pulp":
        return [solve_pulp(p, constraint, n, min_score, pulp_backend) for p in problems]
    if solver == "greedy":
        return [solve_greedy(p, constraint, n, min_score) for p in problems]
    if solver == "dp":
        applies = (constraint == "<=" and n == 1) or (constraint == "<" and n == 2)
        if not applies:
            raise ConfigError(f"solver=dp solves '<= 1' exactly; for '{constraint} {n}' use solver=milp")
        small = [i for i, p in enumerate(problems) if p.scores.shape[0] <= dp_max_entities]
        results: list[Matching | None] = [None] * len(problems)
        for i in small:
            results[i] = solve_dp(problems[i], min_score)
        large = [i for i in range(len(problems)) if results[i] is None]
        for i, matching in zip(large, solve_milp([problems[i] for i in large], "<=", 1, min_score)):
            results[i] = matching
        return results  # type: ignore[return-value]
    raise ConfigError(f"unknown matching solver '{solver}'", list(SOLVERS))
