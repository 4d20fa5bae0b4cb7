"""NER scores as seqeval computes them (entity-level micro and per-type P/R/F1): strict IOB2 as the headline,
conlleval-style default mode beside it. Computed here from entity sets (identical to seqeval's
classification_report, tested against it) so scoring does not import seqeval's scikit-learn (1.6 s of start-up)."""

from __future__ import annotations

from collections import Counter
from typing import Iterator, Sequence

from xner.data.iob import spans_to_tags
from xner.data.records import Sentence
from xner.errors import XnerError

Entity = tuple[int, str, int, int]  # (sentence, type, first word, last word)


def _split(tag: str) -> tuple[str, str]:
    """(prefix, type): 'B-PER' -> ('B', 'PER'); 'O' -> ('O', ''); a tag without a type gets '_' as seqeval does."""
    prefix, _, kind = tag.partition("-")
    return (prefix, kind or "_") if prefix != "O" else ("O", "")


def strict_entities(tags: Sequence[str], sentence: int = 0) -> Iterator[Entity]:
    """IOB2 entities in strict mode: B-X followed by any I-X; an I- without its B- is no entity."""
    start, kind = -1, ""
    for index, tag in enumerate([*tags, "O"]):
        prefix, label = _split(tag)
        if start >= 0 and not (prefix == "I" and label == kind):
            yield sentence, kind, start, index - 1
            start = -1
        if prefix == "B":
            start, kind = index, label


def default_entities(tags: Sequence[str], sentence: int = 0) -> Iterator[Entity]:
    """conlleval chunks (seqeval's default mode, IOBES-aware): a chunk also starts at an I- after O, another
    type, or the end of a chunk, and ends before B-/S-/O, at E-/S-, or at a change of type."""
    previous, previous_kind, start = "O", "", 0
    for index, tag in enumerate([*tags, "O"]):
        prefix, kind = _split(tag)
        ends = previous in ("E", "S") or (previous in ("B", "I") and prefix in ("B", "S", "O")) or \
            (previous not in ("O", ".") and previous_kind != kind)
        if ends:
            yield sentence, previous_kind, start, index - 1
        starts = prefix in ("B", "S") or (previous in ("E", "S", "O") and prefix in ("E", "I")) or \
            (prefix not in ("O", ".") and previous_kind != kind)
        if starts:
            start = index
        previous, previous_kind = prefix, kind


def _scores(gold: set[Entity], predicted: set[Entity], prefix: str) -> dict[str, float]:
    """Micro and per-type precision/recall/F1 and support from entity sets (0 where undefined)."""
    def prf(true: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
        precision = true / n_pred if n_pred else 0.0
        recall = true / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    correct = gold & predicted
    by_gold, by_pred, by_true = (Counter(e[1] for e in group) for group in (gold, predicted, correct))
    metrics: dict[str, float] = {}
    metrics[f"{prefix}precision"], metrics[f"{prefix}recall"], metrics[f"{prefix}f1"] = prf(len(correct), len(predicted), len(gold))
    for kind in sorted(set(by_gold) | set(by_pred)):
        p, r, f = prf(by_true[kind], by_pred[kind], by_gold[kind])
        metrics.update({f"{prefix}{kind}/precision": p, f"{prefix}{kind}/recall": r, f"{prefix}{kind}/f1": f,
                        f"{prefix}{kind}/support": float(by_gold[kind])})
    return metrics


def evaluate_tags(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro P/R/F1 overall and per type, strict mode unprefixed and default mode under `default/`."""
    if len(gold) != len(pred):
        raise XnerError(f"evaluation needs as many predicted sentences as gold ones ({len(pred)} vs {len(gold)})")
    for index, (g, p) in enumerate(zip(gold, pred)):
        if len(g) != len(p):
            raise XnerError(f"sentence {index + 1}: {len(p)} predicted tags for {len(g)} gold words")
    metrics: dict[str, float] = {}
    for extract, prefix in ((strict_entities, ""), (default_entities, "default/")):
        gold_set = {e for index, tags in enumerate(gold) for e in extract(tags, index)}
        pred_set = {e for index, tags in enumerate(pred) for e in extract(tags, index)}
        metrics.update(_scores(gold_set, pred_set, prefix))
    return metrics


def evaluate_sentences(gold: Sequence[Sentence], pred: Sequence[Sentence]) -> dict[str, float]:
    """Scores of predicted entity spans against gold spans over the same words."""
    return evaluate_tags(
        [spans_to_tags(s.spans, len(s)) for s in gold],
        [spans_to_tags(s.spans, len(s)) for s in pred],
    )
