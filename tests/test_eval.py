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


def seqeval_reference(gold, pred, strict: bool = True) -> dict[str, float]:
    """The same figures from seqeval's classification_report (strict IOB2 unprefixed, default mode under default/)."""
    import warnings

    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    metrics = {}
    for prefix, options in (("", {"mode": "strict", "scheme": IOB2}), ("default/", {}))[0 if strict else 1:]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = classification_report(gold, pred, output_dict=True, zero_division=0, **options)
        micro = report["micro avg"]
        metrics.update({f"{prefix}precision": micro["precision"], f"{prefix}recall": micro["recall"], f"{prefix}f1": micro["f1-score"]})
        for label, row in report.items():
            if not label.endswith(" avg"):
                metrics.update({f"{prefix}{label}/precision": row["precision"], f"{prefix}{label}/recall": row["recall"],
                                f"{prefix}{label}/f1": row["f1-score"], f"{prefix}{label}/support": row["support"]})
    return {k: float(v) for k, v in metrics.items()}


@pytest.mark.parametrize("seed", range(4))
def test_scores_equal_seqeval_on_random_tag_sequences(seed):
    """Every figure (keys and values) equals seqeval's, valid IOB2 or not (stray I-, type changes inside a run)."""
    import random

    rng = random.Random(seed)
    tags = ["O", "O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "I-ORG", "B-MISC-X"]
    for _ in range(50):
        lengths = [rng.randint(0, 9) for _ in range(rng.randint(1, 6))]
        gold = [[rng.choice(tags) for _ in range(n)] for n in lengths]
        pred = [[rng.choice(tags) if rng.random() < 0.4 else tag for tag in sentence] for sentence in gold]
        ours, reference = evaluate_tags(gold, pred), seqeval_reference(gold, pred)
        assert ours.keys() == reference.keys()
        assert all(ours[k] == pytest.approx(reference[k], abs=1e-12) for k in ours), (gold, pred)


def test_default_mode_reads_iobes_chunks_like_seqeval():
    gold = [["S-PER", "B-LOC", "E-LOC", "O", "I-ORG", "E-ORG", "S-LOC"], ["B-PER", "I-PER"]]
    pred = [["S-PER", "B-LOC", "I-LOC", "O", "B-ORG", "E-ORG", "I-LOC"], ["B-PER", "E-LOC"]]
    ours = {k: v for k, v in evaluate_tags(gold, pred).items() if k.startswith("default/")}
    assert ours == pytest.approx(seqeval_reference(gold, pred, strict=False)) and ours["default/f1"] not in (0.0, 1.0)
