"""The domain diagnostic (benchmarks/eval_domain.py): which test mentions occur word for word in the unlabelled text."""

from __future__ import annotations

from benchmarks.eval_domain import coverage, ngram_set
from xner.data.records import EntitySpan, Sentence


def test_coverage_counts_mentions_found_as_word_runs_case_folded():
    text = [["Manchester", "United", "won"], ["in", "KANO", "city"]]
    test = [
        Sentence(("manchester", "united", "lost", "to", "Barcelona"),
                 (EntitySpan(0, 2, "ORG"), EntitySpan(4, 5, "ORG"))),
        Sentence(("Kano", "and", "won"), (EntitySpan(0, 1, "LOC"), EntitySpan(2, 3, "MISC"))),
    ]
    total, seen, common = coverage(test, ngram_set(text, 2))
    assert total == {"ORG": 2, "LOC": 1}  # MISC is not a counted type
    assert seen == {"ORG": 1, "LOC": 1}  # "manchester united" found whole, "Barcelona" nowhere, "Kano" case-folded
    assert common["ORG"].most_common(1)[0][1] == 1


def test_ngrams_do_not_cross_sentences():
    found = ngram_set([["a", "b"], ["c"]], 3)
    assert ("b", "c") not in found and ("a", "b") in found and ("c",) in found
