import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xner.data.alignment import Alignment
from xner.data.iob import iob2_problems, spans_to_tags
from xner.data.records import EntitySpan, Sentence
from xner.project.base import ProjectionStats
from xner.project.heuristic import HeuristicProjector, aligned_runs, merge_runs


def sentence(n, *spans):
    return Sentence(tuple(f"w{i}" for i in range(n)), tuple(EntitySpan(*s) for s in spans))


def test_runs_and_merging():
    assert aligned_runs(np.array([0, 1, 1, 0, 1, 0, 0, 1], dtype=bool)) == [(1, 3), (4, 5), (7, 8)]
    assert merge_runs([(1, 3), (4, 5), (7, 8)], 1) == [(1, 5), (7, 8)]
    assert merge_runs([(1, 3), (4, 5), (7, 8)], 2) == [(1, 8)]
    assert merge_runs([(1, 3), (4, 5)], 0) == [(1, 3), (4, 5)]


def test_diagonal_alignment_projects_every_entity():
    source = sentence(5, (0, 1, "PER"), (3, 5, "LOC"))
    projected = HeuristicProjector().project(source, ["t"] * 5, Alignment([(i, i) for i in range(5)]))
    assert projected == [EntitySpan(0, 1, "PER"), EntitySpan(3, 5, "LOC")]


def test_merge_distance_and_top_k():
    source = sentence(3, (0, 2, "ORG"))
    alignment = Alignment([(0, 1), (1, 3)])  # a one-word gap at target 2
    assert HeuristicProjector(merge_distance=1).project(source, ["t"] * 6, alignment) == [EntitySpan(1, 4, "ORG")]
    assert HeuristicProjector(merge_distance=0).project(source, ["t"] * 6, alignment) == [EntitySpan(1, 2, "ORG")]
    both = HeuristicProjector(merge_distance=0, top_k=2).project(source, ["t"] * 6, alignment)
    assert both == [EntitySpan(1, 2, "ORG"), EntitySpan(3, 4, "ORG")]


def test_merge_only_i_keeps_a_second_mention_separate():
    source = sentence(2, (0, 2, "LOC"))  # "New York"
    alignment = Alignment([(0, 1), (1, 2), (0, 4)])  # target: x New York x New
    merged = HeuristicProjector(merge_distance=2).project(source, ["t"] * 6, alignment)
    assert merged == [EntitySpan(1, 5, "LOC")]
    separate = HeuristicProjector(merge_distance=2, merge_only_i=True, top_k=2).project(source, ["t"] * 6, alignment)
    assert separate == [EntitySpan(1, 3, "LOC"), EntitySpan(4, 5, "LOC")]


def test_length_ratio_threshold_drops_short_candidates():
    source = sentence(2, (0, 2, "PER"))
    alignment = Alignment([(0, 0), (1, 0)])  # two source words -> one compound word
    assert HeuristicProjector(length_ratio_threshold=None).project(source, ["t"] * 3, alignment) == [EntitySpan(0, 1, "PER")]
    assert HeuristicProjector(length_ratio_threshold=0.8).project(source, ["t"] * 3, alignment) == []


def test_shorter_entity_wins_a_contested_target_word():
    source = sentence(4, (0, 3, "ORG"), (3, 4, "PER"))
    alignment = Alignment([(0, 0), (1, 1), (2, 2), (3, 2)])
    projected = HeuristicProjector(merge_distance=0).project(source, ["t"] * 3, alignment)
    # PER (shorter) takes target word 2 first; ORG's only candidate (0, 3) overlaps it and is skipped
    assert projected == [EntitySpan(2, 3, "PER")]


def test_corpus_projection_counts():
    source = [sentence(2, (0, 1, "PER"), (1, 2, "LOC")), sentence(1)]
    stats = ProjectionStats()
    out = HeuristicProjector().project_corpus(source, [["a"], ["b"]], [Alignment([(0, 0)]), Alignment([])], stats)
    assert [len(s.spans) for s in out] == [1, 0]
    assert stats.source_entities == 2 and stats.projected_entities == 1 and stats.projected_share == 0.5


@st.composite
def projection_case(draw):
    n_src, n_tgt = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    links = draw(st.lists(st.tuples(st.integers(0, n_src - 1), st.integers(0, n_tgt - 1)), max_size=20))
    cuts = sorted(draw(st.sets(st.integers(0, n_src), max_size=6)) | {0, n_src})
    spans = [(a, b, draw(st.sampled_from(["PER", "ORG", "LOC"]))) for a, b in zip(cuts, cuts[1:]) if draw(st.booleans())]
    params = dict(merge_distance=draw(st.integers(0, 3)), merge_only_i=draw(st.booleans()),
                  top_k=draw(st.sampled_from([None, 1, 2])), length_ratio_threshold=draw(st.sampled_from([None, 0.5, 0.8])))
    return sentence(n_src, *spans), n_tgt, Alignment(links), params


@settings(max_examples=200, deadline=None)
@given(projection_case())
def test_projection_is_always_valid(case):
    source, n_tgt, alignment, params = case
    projected = HeuristicProjector(**params).project(source, ["t"] * n_tgt, alignment)
    tags = spans_to_tags(projected, n_tgt)  # raises on overlap or out-of-range spans
    assert not iob2_problems(tags)
    assert len(projected) <= len(source.spans) * (params["top_k"] or n_tgt)
