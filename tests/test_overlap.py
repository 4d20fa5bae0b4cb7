"""Unlabelled and parallel text never holds the target's test or dev sentences (data.exclude_eval): the matcher,
the readers that drop such lines, and what a run logs and keys."""

from __future__ import annotations

import logging
import unicodedata

import pytest

from tests.synthetic import make_corpus
from xner.data.conll import write_conll
from xner.data.overlap import SentenceIndex, pieces
from xner.data.parallel import ParallelReadStats, read_parallel

TEST = [["Kofi", "Annan", "visited", "Accra", "on", "Monday", "."], ["Ọ", "nọ", "n'", "Abuja", "ụnyaahụ", "."],
        ["Ozo", ","], ["the", "big", "river", "near", "the", "old", "city", "and", "the", "lake", "today", "."]]


def test_a_sentence_is_found_whatever_its_tokens_case_or_unicode_form():
    index = SentenceIndex(TEST)
    assert len(index) == 3  # "Ozo ," has too few pieces to count
    assert pieces(["n'Abuja", "Ụnyaahụ."]) == ("n", "abuja", "ụnyaahụ")
    assert index.shares("kofi annan visited accra on monday".split())
    assert index.shares(unicodedata.normalize("NFD", "Ọ nọ n'Abuja ụnyaahụ.").split())  # decomposed accents, other tokens
    assert index.shares("5254- Kofi Annan visited Accra on Monday.".split())  # a numbered line holding it
    assert index.shares("Kofi Annan visited Accra on Monday . He left on Tuesday".split())  # half or more of the line
    assert index.shares("the big river near the old city".split())  # a piece of a sentence, half or more of it


def test_common_phrases_short_lines_and_other_text_do_not_count():
    index = SentenceIndex(TEST)
    assert not index.shares(["Ozo", ","])  # fewer than 4 pieces: never compared
    assert not index.shares("the big river".split())
    assert not index.shares("we visited the big river near the old city again and again and again and again".split())
    assert not index.shares("Kofi Annan visited Kumasi on Monday .".split())
    assert not SentenceIndex([]).shares("Kofi Annan visited Accra on Monday".split())


def test_read_parallel_drops_and_counts_excluded_lines_before_the_cap(tmp_path):
    (tmp_path / "a.en").write_text("one two\nthree four\nfive six\nseven eight\nnine ten\n")
    (tmp_path / "a.sw").write_text("moja mbili\ntatu nne\ntano sita\nsaba nane\ntisa kumi\n")
    stats = ParallelReadStats()
    pairs = read_parallel(tmp_path / "a.en", tmp_path / "a.sw", max_pairs=2, stats=stats,
                          exclude=lambda words: words[0] in {"tatu", "tisa"})
    assert [t for _, t in pairs] == [["moja", "mbili"], ["tano", "sita"]]
    assert stats.excluded == [2]  # line 5 lies past the cap: never read, not counted


def _swa_parallel(root, lines_tgt):
    folder = root / "mafand" / "en-swa"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.en").write_text("".join(f"source line {i}\n" for i in range(len(lines_tgt))))
    (folder / "train.swa").write_text("".join(line + "\n" for line in lines_tgt))


def test_parallel_words_drop_pairs_holding_test_or_dev_sentences(compose_cfg, ner_data, caplog):
    from xner.stages.projection import parallel_words

    test = [list(t.tokens) for t in make_corpus(30, seed=3)[1]]
    dev = [list(s.tokens) for s in make_corpus(20, seed=2)[0]]
    lines = [" ".join(t.tokens) for t in make_corpus(12, seed=11)[1]]
    lines[2] = "12- " + " ".join(test[4])    # a test sentence behind a line number
    lines[5] = " ".join(dev[0]).upper()      # a dev sentence in capitals
    _swa_parallel(ner_data, lines)
    metrics = {}
    with caplog.at_level(logging.WARNING, logger="xner.stages.projection"):
        _, targets, key = parallel_words(compose_cfg("experiment=projection", "lang=swa", "data.max_sentences=8"), metrics.update)
    assert len(targets) == 8 and key["excluded_eval"] == {"train": [3, 6]} and metrics["data/excluded_eval"] == 2
    assert "dropped 2 of 10 pairs of mafand en-swa train that share a sentence with masakhaner2 swa test / masakhaner2 swa dev" in caplog.text
    assert all(t != test[4] for t in targets)

    _, kept, kept_key = parallel_words(compose_cfg("experiment=projection", "lang=swa", "data.max_sentences=8", "data.exclude_eval=false"))
    assert kept[2][2:] == test[4] and "excluded_eval" not in kept_key  # split_words: "12", "-", ...
    _swa_parallel(ner_data, [" ".join(t.tokens) for t in make_corpus(12, seed=11)[1]])  # nothing shared: the key is
    _, _, clean = parallel_words(compose_cfg("experiment=projection", "lang=swa", "data.max_sentences=8"))  # the one a run
    _, _, off = parallel_words(compose_cfg("experiment=projection", "lang=swa", "data.max_sentences=8", "data.exclude_eval=false"))
    assert clean == off  # without the check gets, so finished stages stay valid


def test_a_held_back_test_split_is_skipped_and_unlabelled_corpora_are_checked_too(compose_cfg, ner_data):
    from xner.experiments.teacher_student import unlabelled_words

    test = make_corpus(30, seed=3)[1]
    train = make_corpus(10, seed=12)[1]
    write_conll(ner_data / "masakhaner2" / "swa" / "train.txt", [*train[:3], test[7], *train[3:]])
    cfg = compose_cfg("experiment=teacher_student", "lang=swa", "experiment.unlabelled={dataset: masakhaner2, lang: swa}",
                      "data.max_sentences=9")
    metrics = {}
    words, key = unlabelled_words(cfg, metrics.update)
    assert len(words) == 9 and list(test[7].tokens) not in words and key["unlabelled"]["excluded_eval"] == [4]
    assert metrics["data/excluded_eval"] == 1
    (ner_data / "masakhaner2" / "swa" / "test.txt").unlink()  # held back: only dev is compared
    words, key = unlabelled_words(cfg, metrics.update)
    assert list(test[7].tokens) in words and "excluded_eval" not in key["unlabelled"]


@pytest.mark.parametrize("lang", ["twi", "fon"])
def test_twi_and_fon_read_every_mafand_split_and_students_and_projection_exclude_eval_text(compose_cfg, lang):
    for experiment in ("projection_ilp", "teacher_student_african", "teacher_student_projection_african"):
        cfg = compose_cfg(f"experiment={experiment}", f"lang={lang}")
        assert cfg.data.exclude_eval is True and cfg.data.parallel.split == "train+dev+test"
    assert compose_cfg("experiment=projection_ilp", "lang=hau").data.parallel.split == "train"
