"""Candidate matching: solvers against brute force, against each other, and projection validity."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xner.data.alignment import Alignment
from xner.data.iob import iob2_problems, spans_to_tags
from xner.data.records import EntitySpan, Sentence
from xner.errors import ConfigError
from xner.project.candidates import AlignedCandidates, NgramCandidates, UnionCandidates
from xner.project.matching import CandidateMatchingProjector
from xner.project.scores import (
    AlignmentScorer,
    FusedScorer,
    NerScorer,
    StringSimilarityScorer,
)
from xner.project.solvers import (
    MatchingProblem,
    count_bounds,
    solve,
    solve_greedy,
    solve_milp,
    solve_pulp,
)

BOUNDS = {"<=": lambda k, n: k <= n, "=": lambda k, n: k == n, ">=": lambda k, n: k >= n}


def brute_force(problem: MatchingProblem, constraint: str, n: int) -> float | None:
    """Best objective over every subset of positive pairs (None if infeasible)."""
    entities, candidates, scores = problem.pairs()
    best = None
    for size in range(len(scores) + 1):
        for subset in itertools.combinations(range(len(scores)), size):
            words = [w for v in subset for w in range(*problem.spans[candidates[v]])]
            if len(words) != len(set(words)):
                continue
            counts = np.bincount(entities[list(subset)], minlength=problem.scores.shape[0])
            used = np.unique(entities)  # entities without any positive pair are not constrained
            if not all(BOUNDS[constraint](counts[e], n) for e in used):
                continue
            value = float(scores[list(subset)].sum())
            best = value if best is None or value > best else best
    return best


@st.composite
def problems(draw, max_words=6, max_entities=3):
    n_words = draw(st.integers(1, max_words))
    spans = sorted({(a, b) for a in range(n_words) for b in range(a + 1, n_words + 1)
                    if draw(st.booleans()) and b - a <= 3})[:7]
    n_entities = draw(st.integers(1, max_entities))
    values = draw(st.lists(st.sampled_from([0.0, 0.0, 0.2, 0.5, 0.7, 1.0, 1.3]), min_size=n_entities * len(spans),
                           max_size=n_entities * len(spans)))
    scores = np.array(values, dtype=float).reshape(n_entities, len(spans)) if spans else np.zeros((n_entities, 0))
    return MatchingProblem(n_words, np.array(spans, dtype=np.int32).reshape(-1, 2), scores)


def check_feasible(problem, matching, constraint, n):
    words = [w for _, a, b in matching.chosen for w in range(a, b)]
    assert len(words) == len(set(words)) and all(0 <= w < problem.n_words for w in words)
    lower, upper = count_bounds(constraint, n)
    counts = np.bincount([e for e, _, _ in matching.chosen], minlength=problem.scores.shape[0])
    assert (counts <= upper).all()


@settings(max_examples=60, deadline=None)
@given(problems(), st.sampled_from(["<=", "=", ">="]), st.sampled_from([1, 2]))
def test_milp_optimum_equals_brute_force(problem, constraint, n):
    (matching,) = solve_milp([problem], constraint, n)
    best = brute_force(problem, constraint, n)
    if best is None:
        assert matching.relaxed  # infeasible: solved as <= instead
        assert matching.objective == pytest.approx(brute_force(problem, "<=", n))
    else:
        assert not matching.relaxed
        assert matching.objective == pytest.approx(best)
        check_feasible(problem, matching, constraint, n)


@settings(max_examples=40, deadline=None)
@given(st.lists(problems(), min_size=1, max_size=5))
def test_batched_milp_equals_per_sentence_and_dp_and_beats_greedy(batch):
    together = solve_milp(batch, "<=", 1)
    for problem, matching in zip(batch, together):
        assert matching.objective == pytest.approx(solve_milp([problem], "<=", 1)[0].objective)
        assert matching.objective == pytest.approx(brute_force(problem, "<=", 1))
        check_feasible(problem, matching, "<=", 1)
        greedy = solve_greedy(problem, "<=", 1)
        check_feasible(problem, greedy, "<=", 1)
        assert greedy.objective <= matching.objective + 1e-9
    for exact, dp in zip(together, solve(batch, "dp")):
        assert dp.objective == pytest.approx(exact.objective)


@settings(max_examples=25, deadline=None)
@given(problems(max_words=5, max_entities=2), st.sampled_from(["<=", "="]))
def test_scipy_and_pulp_agree(problem, constraint):
    scipy_result = solve_milp([problem], constraint, 1)[0]
    pulp_result = solve_pulp(problem, constraint, 1)
    assert pulp_result.objective == pytest.approx(scipy_result.objective)
    assert pulp_result.relaxed == scipy_result.relaxed


def test_pulp_highs_backend_agrees():
    pytest.importorskip("highspy")
    problem = MatchingProblem(4, np.array([[0, 2], [1, 3], [2, 4]]), np.array([[1.0, 0.8, 0.1], [0.0, 0.9, 0.7]]))
    assert solve_pulp(problem, backend="highs").objective == pytest.approx(solve_milp([problem])[0].objective)


def test_greedy_equals_ilp_without_conflicts():
    # disjoint candidates, each entity's best candidate differs: no conflict, greedy is optimal
    problem = MatchingProblem(6, np.array([[0, 2], [2, 3], [4, 6]]), np.array([[0.9, 0.1, 0.0], [0.2, 0.0, 0.8]]))
    assert set(solve_greedy(problem).chosen) == set(solve_milp([problem])[0].chosen) == {(0, 0, 2), (1, 4, 6)}
    assert solve_greedy(problem).objective == pytest.approx(solve_milp([problem])[0].objective)


def test_greedy_is_worse_on_a_conflict():
    # entity 0: [0,2)=1.0 or [2,3)=0.9 ; entity 1: [1,2)=0.95 only -> greedy takes 1.0 and blocks entity 1
    problem = MatchingProblem(3, np.array([[0, 2], [2, 3], [1, 2]]), np.array([[1.0, 0.9, 0.0], [0.0, 0.0, 0.95]]))
    assert solve_greedy(problem).objective == pytest.approx(1.0)
    assert solve_milp([problem])[0].objective == pytest.approx(1.85)


def test_bad_solver_options():
    with pytest.raises(ConfigError, match="valid choices: <, <=, =, >, >="):
        count_bounds("==", 1)
    with pytest.raises(ConfigError, match="solver=dp solves '<= 1' exactly"):
        CandidateMatchingProjector(NgramCandidates(), AlignmentScorer(), solver="dp", constraint="=")
    with pytest.raises(ConfigError, match="valid choices: dp, greedy, milp, pulp"):
        CandidateMatchingProjector(NgramCandidates(), AlignmentScorer(), solver="gurobi")


SOURCE = Sentence(("the", "European", "Parliament", "met", "Prodi"), (EntitySpan(1, 3, "ORG"), EntitySpan(4, 5, "PER")))
TARGET = ["das", "Europäische", "Parlament", "traf", "Prodi"]
DIAGONAL = Alignment([(i, i) for i in range(5)])


def test_candidates_and_alignment_scores():
    grid = DIAGONAL.matrix(5, 5)
    ngrams = NgramCandidates().extract(SOURCE, 5, grid, 0)
    assert len(ngrams) == 5 + 4 + 3  # lengths 1..3 (longest entity 2 + margin 1)
    aligned = AlignedCandidates().extract(SOURCE, 5, grid, 0)
    assert aligned.tolist() == [[1, 3], [4, 5]]
    gap = Alignment([(1, 1), (2, 3)]).matrix(5, 5)
    assert AlignedCandidates(max_gap=1).extract(SOURCE, 5, gap, 0).tolist() == [[1, 2], [1, 4], [3, 4]]
    union = UnionCandidates([NgramCandidates(max_length=1), AlignedCandidates()]).extract(SOURCE, 5, grid, 0)
    assert [1, 3] in union.tolist() and len(union) == 6
    scores = AlignmentScorer().score(SOURCE, TARGET, grid, np.array([[1, 3], [1, 2], [0, 3], [4, 5]]), 0)
    assert scores[0].tolist() == pytest.approx([1.0, 2 / 3, 0.8, 0.0])
    assert scores[1].tolist() == pytest.approx([0.0, 0.0, 0.0, 1.0])


def test_ner_string_and_fused_scores():
    tags = ["O", "B-ORG", "I-ORG", "B-PER", "I-PER"]
    probs = np.zeros((5, 5))
    probs[:, 0] = 1.0
    probs[1] = [0, 0.9, 0.1, 0, 0]
    probs[2] = [0, 0.1, 0.8, 0, 0]
    candidates = np.array([[1, 3], [1, 2]])
    ner = NerScorer([probs], tags, alpha=1.5).score(SOURCE, TARGET, None, candidates, 0)
    assert ner[0].tolist() == pytest.approx([1.5 * (0.9 + 0.8) / 2, 0.9])
    assert ner[1].tolist() == [0.0, 0.0]  # PER probabilities are zero there
    agnostic = NerScorer([probs], tags, alpha=1.5, class_agnostic=True).score(SOURCE, TARGET, None, candidates, 0)
    assert agnostic[1].tolist() == pytest.approx(ner[0].tolist())
    string = StringSimilarityScorer().score(SOURCE, TARGET, None, np.array([[4, 5], [0, 1]]), 0)
    assert string[1, 0] == 1.0 and string[1, 1] == 0.0
    fused = FusedScorer({"a": AlignmentScorer(), "s": StringSimilarityScorer()}, {"a": 1.0, "s": 0.5},
                        per_class={"PER": {"a": 0.0, "s": 1.0}})
    grid = DIAGONAL.matrix(5, 5)
    values = fused.score(SOURCE, TARGET, grid, np.array([[1, 3], [4, 5]]), 0)
    assert values[1, 1] == pytest.approx(1.0)  # PER: string only
    with pytest.raises(ConfigError, match="unknown scorers"):
        FusedScorer({"a": AlignmentScorer()}, {"b": 1.0})


@pytest.mark.parametrize("solver", ["milp", "greedy", "dp", "pulp"])
def test_projector_projects_a_sentence(solver):
    projector = CandidateMatchingProjector(NgramCandidates(), AlignmentScorer(), solver=solver)
    assert projector.project(SOURCE, TARGET, DIAGONAL) == [EntitySpan(1, 3, "ORG"), EntitySpan(4, 5, "PER")]


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_projection_never_overlaps_and_stays_valid_iob2(data):
    n_src, n_tgt = data.draw(st.integers(1, 7)), data.draw(st.integers(1, 7))
    cuts = sorted(data.draw(st.sets(st.integers(0, n_src), max_size=5)) | {0, n_src})
    spans = [EntitySpan(a, b, "PER") for a, b in zip(cuts, cuts[1:]) if data.draw(st.booleans())]
    links = data.draw(st.lists(st.tuples(st.integers(0, n_src - 1), st.integers(0, n_tgt - 1)), max_size=15))
    solver = data.draw(st.sampled_from(["milp", "greedy", "dp"]))
    constraint = "<=" if solver == "dp" else data.draw(st.sampled_from(["<=", "=", ">="]))
    projector = CandidateMatchingProjector(UnionCandidates([NgramCandidates(), AlignedCandidates()]), AlignmentScorer(),
                                           solver=solver, constraint=constraint)
    source = Sentence(tuple(f"s{i}" for i in range(n_src)), tuple(spans))
    projected = projector.project(source, [f"t{i}" for i in range(n_tgt)], Alignment(links))
    assert not iob2_problems(spans_to_tags(projected, n_tgt))  # raises on overlap / outside the sentence


def test_n_jobs_means_processes():
    import os

    assert CandidateMatchingProjector(NgramCandidates(), AlignmentScorer(), n_jobs=1).n_jobs == 1
    assert CandidateMatchingProjector(NgramCandidates(), AlignmentScorer(), n_jobs=-1).n_jobs == (os.cpu_count() or 1)


def test_parallel_processes_give_the_same_result():
    rng = np.random.default_rng(0)
    sources, targets, alignments = [], [], []
    for _ in range(30):
        sources.append(SOURCE)
        targets.append(TARGET)
        alignments.append(Alignment([(i, j) for i in range(5) for j in range(5) if rng.random() < 0.3]))
    serial = CandidateMatchingProjector(NgramCandidates(), AlignmentScorer(), chunk_size=7)
    parallel = CandidateMatchingProjector(NgramCandidates(), AlignmentScorer(), chunk_size=7, n_jobs=2)
    assert serial.project_corpus(sources, targets, alignments) == parallel.project_corpus(sources, targets, alignments)


def test_exact_solvers_agree_on_ties_with_the_position_tie_break():
    # "Prodi" appears twice in the target; the entity sits at the end of the source -> the later one
    source = Sentence(("we", "met", "Prodi"), (EntitySpan(2, 3, "PER"),))
    target = ["Prodi", "und", "wir", "trafen", "Prodi"]
    alignment = Alignment([(2, 0), (2, 4)])
    results = {solver: CandidateMatchingProjector(NgramCandidates(), AlignmentScorer(), solver=solver).project(source, target, alignment)
               for solver in ("milp", "dp", "greedy", "pulp")}
    assert all(spans == [EntitySpan(4, 5, "PER")] for spans in results.values()), results


def test_ner_candidates_that_do_not_fit_the_target_sentence_are_a_clear_error(tmp_path):
    from xner.data.conll import write_conll
    from xner.data.records import EntitySpan, Sentence
    from xner.errors import InputError
    from xner.project.candidates import NerSpanCandidates

    write_conll(tmp_path / "pred.conll", [Sentence(("Anna", "sleeps"), (EntitySpan(0, 1, "PER"),))])
    extractor = NerSpanCandidates(str(tmp_path / "pred.conll"))
    assert extractor.extract(None, 2, None, 0).tolist() == [[0, 1]]
    with pytest.raises(InputError, match=r"pred.conll: sentence 1 does not match the target sentence \(3 words\)"):
        extractor.extract(None, 3, None, 0)
