import pytest

from xner.data.alignment import Alignment
from xner.errors import InputError
from xner.eval.alignment_metrics import (
    alignment_scores,
    load_gold_set,
    read_gold_alignments,
)
from xner.run import run


def test_aer_precision_recall_on_a_hand_example(tmp_path):
    (tmp_path / "g").write_text("1-1 2p2 3-3\n", encoding="utf-8")
    gold = read_gold_alignments(tmp_path / "g")
    assert gold[0].sure == {(0, 0), (2, 2)} and gold[0].possible == {(0, 0), (1, 1), (2, 2)}
    scores = alignment_scores([Alignment([(0, 0), (1, 1), (1, 2)])], gold)
    # A=3, S=2, |A∩S|=1, |A∩P|=2 -> AER = 1 - 3/5
    assert scores["aer"] == pytest.approx(0.4)
    assert scores["precision"] == pytest.approx(2 / 3) and scores["recall"] == pytest.approx(0.5)
    assert alignment_scores([Alignment([(0, 0), (2, 2)])], gold)["aer"] == 0.0


def test_gold_errors_name_file_and_line(tmp_path):
    (tmp_path / "p").write_text("a b ||| c d\nno separator\n", encoding="utf-8")
    (tmp_path / "g").write_text("1-1\n1-x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"g:2: bad alignment link '1-x'"):
        read_gold_alignments(tmp_path / "g")
    with pytest.raises(InputError, match=r"p:2: expected 'source words \|\|\| target words'"):
        load_gold_set(tmp_path / "p", tmp_path / "g")
    (tmp_path / "p").write_text("a b ||| c d\n", encoding="utf-8")
    (tmp_path / "g").write_text("1-3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"g:1: link 1-3 lies outside a 2x2 sentence pair"):
        load_gold_set(tmp_path / "p", tmp_path / "g", strict=True)
    (tmp_path / "g").write_text("1-3 2p4 1-1\n", encoding="utf-8")
    _, gold, dropped = load_gold_set(tmp_path / "p", tmp_path / "g")
    assert dropped == 2 and gold[0].sure == {(0, 0)} and gold[0].possible == {(0, 0)}


def test_alignment_eval_pipeline_on_a_synthetic_gold_set(compose_cfg, data_root):
    from tests.synthetic import make_corpus

    sources, targets = make_corpus(120, seed=5)
    folder = data_root / "align_gold"
    folder.mkdir()
    (folder / "enfr.src-tgt").write_text("".join(f"{' '.join(s.tokens)} ||| {' '.join(t.tokens)}\n" for s, t in zip(sources, targets)))
    (folder / "enfr.gold").write_text("".join(" ".join(f"{i + 1}-{i + 1}" for i in range(len(s))) + "\n" for s in sources))
    metrics = run(compose_cfg("experiment=alignment_eval", "data.pair=enfr", "aligner=fast_align"))
    assert metrics["alignment/aer"] < 0.15
    assert metrics["alignment/pairs_per_second"] > 0
    assert metrics["data/sentences"] == 120
