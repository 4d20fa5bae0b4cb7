import pytest

from xner.data.records import EntitySpan, Sentence
from xner.errors import XnerError
from xner.eval.ner_metrics import evaluate_sentences, evaluate_tags


def test_perfect_and_partial_scores_per_type():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    pred = [["B-PER", "I-PER", "O", "O"], ["B-ORG", "O"]]
    metrics = evaluate_tags(gold, pred)
    assert metrics["precision"] == 1.0
    assert metrics["recall"] == pytest.approx(2 / 3)
    assert metrics["f1"] == pytest.approx(0.8)
    assert metrics["LOC/recall"] == 0.0 and metrics["PER/f1"] == 1.0
    assert metrics["LOC/support"] == 1.0


def test_strict_mode_differs_from_default_on_invalid_sequences():
    gold = [["B-PER", "I-PER"]]
    pred = [["I-PER", "I-PER"]]  # conlleval reads an entity, strict IOB2 does not
    metrics = evaluate_tags(gold, pred)
    assert metrics["f1"] == 0.0
    assert metrics["default/f1"] == 1.0


def test_length_mismatch_is_reported():
    with pytest.raises(XnerError, match="sentence 1: 1 predicted tags for 2 gold words"):
        evaluate_tags([["O", "O"]], [["O"]])


def test_evaluate_sentences_uses_spans():
    gold = [Sentence(("a", "b", "c"), (EntitySpan(0, 2, "ORG"),))]
    pred = [Sentence(("a", "b", "c"), (EntitySpan(0, 1, "ORG"),))]
    assert evaluate_sentences(gold, pred)["f1"] == 0.0
    assert evaluate_sentences(gold, gold)["f1"] == 1.0
