import pytest

from xner.data.iob import (
    iob2_problems,
    repair_iob2,
    spans_to_tags,
    split_tag,
    tags_to_spans,
)
from xner.data.records import EntitySpan


def test_tags_to_spans_reads_adjacent_entities_of_the_same_type_separately():
    tags = ["B-PER", "I-PER", "B-PER", "O", "B-LOC"]
    assert tags_to_spans(tags) == [EntitySpan(0, 2, "PER"), EntitySpan(2, 3, "PER"), EntitySpan(4, 5, "LOC")]


def test_round_trip_spans_tags():
    spans = [EntitySpan(1, 3, "ORG"), EntitySpan(3, 4, "ORG"), EntitySpan(6, 9, "LOC")]
    tags = spans_to_tags(spans, 9)
    assert tags == ["O", "B-ORG", "I-ORG", "B-ORG", "O", "O", "B-LOC", "I-LOC", "I-LOC"]
    assert tags_to_spans(tags) == spans


def test_spans_to_tags_rejects_overlap_and_out_of_range():
    with pytest.raises(ValueError, match="overlaps"):
        spans_to_tags([EntitySpan(0, 2, "PER"), EntitySpan(1, 3, "LOC")], 4)
    with pytest.raises(ValueError, match="outside"):
        spans_to_tags([EntitySpan(2, 5, "PER")], 4)


def test_problems_name_orphan_i_and_type_change():
    problems = iob2_problems(["O", "I-PER", "B-LOC", "I-ORG", "X-1"])
    assert [p.index for p in problems] == [1, 3, 4]
    assert "orphan I-PER after O" in problems[0].problem
    assert "orphan I-ORG after B-LOC" in problems[1].problem
    assert "unknown tag" in problems[2].problem


def test_repair_turns_orphans_into_b_and_counts():
    tags, repairs = repair_iob2(["I-PER", "I-PER", "O", "I-LOC"])
    assert tags == ["B-PER", "I-PER", "O", "B-LOC"]
    assert repairs == 2


@pytest.mark.parametrize("tag", ["B-", "PER", "b-PER", "", "I_PER"])
def test_split_tag_rejects_malformed(tag):
    with pytest.raises(ValueError):
        split_tag(tag)


# Property-based: any non-overlapping spans survive spans -> tags -> spans; any tag sequence, once
# repaired, is valid IOB2 whose spans reproduce it.
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

LABELS = ["PER", "ORG", "LOC"]


@st.composite
def sentences_with_spans(draw):
    length = draw(st.integers(0, 30))
    cuts = sorted(set(draw(st.lists(st.integers(0, length), max_size=12))))
    spans = []
    for start, end in zip(cuts, cuts[1:]):
        if draw(st.booleans()):
            spans.append(EntitySpan(start, end, draw(st.sampled_from(LABELS))))
    return length, spans


@given(sentences_with_spans())
def test_spans_round_trip_through_iob2(case):
    length, spans = case
    tags = spans_to_tags(spans, length)
    assert len(tags) == length and iob2_problems(tags) == []
    assert tags_to_spans(tags) == spans


@given(st.lists(st.sampled_from(["O"] + [f"{p}-{label}" for label in LABELS for p in "BI"]), max_size=40))
def test_repaired_tags_are_valid_and_round_trip(tags):
    repaired, count = repair_iob2(tags)
    assert len(repaired) == len(tags) and iob2_problems(repaired) == []
    assert count == sum(a != b for a, b in zip(tags, repaired))
    assert (count == 0) == (iob2_problems(tags) == [])
    assert spans_to_tags(tags_to_spans(repaired), len(repaired)) == repaired
