"""seqeval scores: strict IOB2 matching as the headline, conlleval-style default mode beside it."""

from __future__ import annotations

import warnings
from typing import Sequence

from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from xner.data.iob import spans_to_tags
from xner.data.records import Sentence
from xner.errors import XnerError


def _report(gold: list[list[str]], pred: list[list[str]], strict: bool) -> dict[str, float]:
    kwargs = {"mode": "strict", "scheme": IOB2} if strict else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = classification_report(gold, pred, output_dict=True, zero_division=0, **kwargs)
    prefix = "" if strict else "default/"
    metrics: dict[str, float] = {}
    micro = report["micro avg"]
    metrics[f"{prefix}precision"] = float(micro["precision"])
    metrics[f"{prefix}recall"] = float(micro["recall"])
    metrics[f"{prefix}f1"] = float(micro["f1-score"])
    for label, row in report.items():
        if label.endswith(" avg"):
            continue
        metrics[f"{prefix}{label}/precision"] = float(row["precision"])
        metrics[f"{prefix}{label}/recall"] = float(row["recall"])
        metrics[f"{prefix}{label}/f1"] = float(row["f1-score"])
        metrics[f"{prefix}{label}/support"] = float(row["support"])
    return metrics


def evaluate_tags(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro P/R/F1 overall and per type, strict mode unprefixed and default mode under `default/`."""
    if len(gold) != len(pred):
        raise XnerError(f"evaluation needs as many predicted sentences as gold ones ({len(pred)} vs {len(gold)})")
    for index, (g, p) in enumerate(zip(gold, pred)):
        if len(g) != len(p):
            raise XnerError(f"sentence {index + 1}: {len(p)} predicted tags for {len(g)} gold words")
    gold_lists, pred_lists = [list(g) for g in gold], [list(p) for p in pred]
    return {**_report(gold_lists, pred_lists, strict=True), **_report(gold_lists, pred_lists, strict=False)}


def evaluate_sentences(gold: Sequence[Sentence], pred: Sequence[Sentence]) -> dict[str, float]:
    """Scores of predicted entity spans against gold spans over the same words."""
    return evaluate_tags(
        [spans_to_tags(s.spans, len(s)) for s in gold],
        [spans_to_tags(s.spans, len(s)) for s in pred],
    )
