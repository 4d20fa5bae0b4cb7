"""Matching scores that need a model: translation (tiny random seq2seq built here) and NER (from a file)."""

import numpy as np
import pytest

from xner.data.records import EntitySpan, Sentence
from xner.errors import InputError
from xner.project.scores import NerScorer


def test_translation_score_is_one_for_identical_text_and_has_the_right_shape(tiny_seq2seq):
    from xner.project.nmt_score import TranslationScorer

    scorer = TranslationScorer(model=tiny_seq2seq, batch_size=3)
    matrix = scorer.pair_scores(["European Parliament", "Prodi"], ["Europäische Parlament", "Prodi", "traf"])
    assert matrix.shape == (2, 3) and (matrix > 0).all()
    assert matrix[1, 1] == pytest.approx(1.0)  # sim(A, A) = P(A|A) / P(A|A)
    probabilities = scorer.probabilities(["the Parliament"], ["Parlament"], None, None)
    assert 0 < probabilities[0] < 1
    one_by_one = [scorer.probabilities([s], [t], None, None)[0] for s, t in [("Prodi", "traf"), ("the", "Europäische Parlament")]]
    batched = scorer.probabilities(["Prodi", "the"], ["traf", "Europäische Parlament"], None, None)
    np.testing.assert_allclose(batched, one_by_one, rtol=1e-5)  # padding does not change a pair's score
    source = Sentence(("the", "European", "Parliament"), (EntitySpan(1, 3, "ORG"),))
    scores = scorer.score(source, ["Europäische", "Parlament", "traf"], None, np.array([[0, 2], [2, 3]]), 0)
    assert scores.shape == (1, 2)


def test_ner_probabilities_from_a_file(tmp_path):
    tags = np.array(["O", "B-PER", "I-PER"])
    probs = np.array([[0.1, 0.8, 0.1], [0.2, 0.1, 0.7]])
    np.savez(tmp_path / "p.npz", sentence_0=probs, tags=tags)
    scorer = NerScorer(str(tmp_path / "p.npz"), alpha=2.0)
    source = Sentence(("Romano", "Prodi"), (EntitySpan(0, 2, "PER"),))
    assert scorer.score(source, ["a", "b"], None, np.array([[0, 2]]), 0)[0, 0] == pytest.approx(2.0 * (0.8 + 0.7) / 2)
    np.savez(tmp_path / "bad.npz", sentence_0=probs)
    with pytest.raises(InputError, match="no 'tags' array"):
        NerScorer(str(tmp_path / "bad.npz"))
