"""Matching scores that need a model: translation (tiny random seq2seq built here) and NER (from a file)."""

import numpy as np
import pytest

from xner.data.records import EntitySpan, Sentence
from xner.errors import InputError
from xner.project.scores import NerScorer

WORDS = ["<pad>", "<s>", "</s>", "<unk>", "the", "European", "Parliament", "Europäische", "Parlament", "Prodi", "traf"]


@pytest.fixture(scope="module")
def tiny_seq2seq(tmp_path_factory):
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast

    torch.manual_seed(0)
    vocab = {word: i for i, word in enumerate(WORDS)}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    backend.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 2)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", bos_token="<s>", eos_token="</s>", unk_token="<unk>")
    config = BartConfig(vocab_size=len(WORDS), d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                        decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=32,
                        pad_token_id=0, bos_token_id=1, eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=2)
    folder = tmp_path_factory.mktemp("seq2seq")
    BartForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


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
