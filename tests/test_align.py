import numpy as np
import pytest

from tests.synthetic import make_corpus
from xner.align.statistical import EflomalAligner, ThotAligner
from xner.align.symmetrize import symmetrize
from xner.data.alignment import Alignment, read_pharaoh, write_pharaoh
from xner.errors import ConfigError


def grid(pairs, shape):
    g = np.zeros(shape, dtype=bool)
    for i, j in pairs:
        g[i, j] = True
    return g


def links(matrix):
    return set(map(tuple, np.argwhere(matrix).tolist()))


def test_symmetrizations_on_a_hand_example():
    forward = grid([(0, 0), (1, 1), (4, 2)], (5, 5))
    reverse = grid([(0, 0), (1, 1), (2, 2), (4, 4)], (5, 5))
    assert links(symmetrize(forward, reverse, "intersection")) == {(0, 0), (1, 1)}
    assert symmetrize(forward, reverse, "union").sum() == 5
    # grow-diag adds (2, 2): a diagonal union neighbour of (1, 1) covering unaligned words
    grown = {(0, 0), (1, 1), (2, 2)}
    assert links(symmetrize(forward, reverse, "grow-diag")) == grown
    # final-and adds directional links whose words are both unaligned: (4, 4) but not (4, 2)
    assert links(symmetrize(forward, reverse, "grow-diag-final-and")) == grown | {(4, 4)}
    # final adds those with either word unaligned: (4, 2) first, then (4, 4)
    assert links(symmetrize(forward, reverse, "grow-diag-final")) == grown | {(4, 2), (4, 4)}


def test_pharaoh_round_trip(tmp_path):
    alignments = [Alignment([(0, 1), (2, 0)]), Alignment([])]
    write_pharaoh(tmp_path / "a.align", alignments)
    assert read_pharaoh(tmp_path / "a.align") == alignments
    assert alignments[0].matrix(3, 2).sum() == 2


def diagonal_precision(aligner, n=200):
    sources, targets = make_corpus(n, seed=3)
    alignments = aligner.align([s.tokens for s in sources], [t.tokens for t in targets])
    links = sum(len(a) for a in alignments)
    correct = sum(int(i == j) for a in alignments for i, j in a.links)
    return correct / links, links / sum(len(s) for s in sources)


@pytest.mark.parametrize("aligner", [EflomalAligner(), ThotAligner(model="fast_align"), ThotAligner(model="hmm")],
                         ids=["eflomal", "fast_align", "hmm"])
def test_statistical_aligners_learn_a_word_for_word_translation(aligner):
    precision, coverage = diagonal_precision(aligner)
    assert precision > 0.9
    assert coverage > 0.8


def test_extra_parallel_text_is_used(tmp_path):
    (tmp_path / "x.src").write_text("anna house\n", encoding="utf-8")
    (tmp_path / "x.tgt").write_text("anna esuohx\n", encoding="utf-8")
    aligner = ThotAligner(model="ibm1", extra_parallel=[{"source": str(tmp_path / "x.src"), "target": str(tmp_path / "x.tgt")}])
    assert len(aligner._extra_pairs()) == 1
    assert len(aligner.align([["anna"]], [["anna"]])) == 1


def test_bad_options_list_choices():
    with pytest.raises(ConfigError, match="valid choices: .*grow-diag-final-and"):
        EflomalAligner(symmetrization="diag")
    with pytest.raises(ConfigError, match="valid choices: fast_align, hmm, ibm1, ibm2"):
        ThotAligner(model="ibm5")
