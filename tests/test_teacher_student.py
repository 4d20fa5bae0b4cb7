"""Teacher-student learning: weights, mixing with projection, the distributions artifact, end to end."""

import numpy as np
import pytest

from tests.synthetic import make_corpus
from tests.test_ner_experiments import FAST
from xner.data.conll import write_conll
from xner.data.records import EntitySpan, Sentence
from xner.errors import ConfigError
from xner.experiments.teacher_student import mix
from xner.runtime.artifacts import load_distributions, save_distributions
from xner.stages.teachers import argmax_sentences
from xner.run import run

TAGS = ["O", "B-LOC", "I-LOC"]


def test_mix_and_argmax_and_the_artifact_round_trip(tmp_path):
    teacher = [np.array([[0.2, 0.7, 0.1], [0.9, 0.05, 0.05]], np.float32), np.array([[1.0, 0.0, 0.0]], np.float32)]
    projected = [Sentence(("a", "b"), (EntitySpan(1, 2, "LOC"),)), Sentence(("c",), ())]
    mixed = mix(teacher, projected, TAGS, 0.5)
    assert np.allclose(mixed[0], [[0.6, 0.35, 0.05], [0.45, 0.525, 0.025]]) and np.allclose(mixed[1], [[1, 0, 0]])
    assert [s.spans for s in argmax_sentences([["a", "b"], ["c"]], mixed, TAGS)] == [(EntitySpan(1, 2, "LOC"),), ()]
    save_distributions(mixed, tmp_path / "d.npz")
    assert all(np.allclose(a, b) for a, b in zip(load_distributions(tmp_path / "d.npz"), mixed))


@pytest.fixture
def ts_data(ner_data):
    for split, seed in (("train", 11), ("dev", 12)):
        write_conll(ner_data / "transfer" / "de" / f"{split}.txt", make_corpus(60 if split == "train" else 20, seed=seed)[0])
    return ner_data


def test_single_source_teacher_student_end_to_end(compose_cfg, ts_data, word_encoder, tmp_path):
    metrics = run(compose_cfg("experiment=teacher_student", "lang=swa", "data.dev_sentences=20", f"model.encoder={word_encoder}", *FAST))
    assert metrics["data/unlabelled_sentences"] == 120 and metrics["data/train_sentences"] == 100
    assert metrics["teach/entities"] > 100 and metrics["test/f1"] > 0.5
    (artifact,) = (tmp_path / "cache" / "teach").glob("*.npz")
    distributions = load_distributions(artifact)
    assert len(distributions) == 120 and all(np.allclose(d.sum(1), 1.0, atol=1e-4) for d in distributions)


def test_multi_source_weighted_with_projection(compose_cfg, ts_data, word_encoder, tmp_path):
    metrics = run(compose_cfg("experiment=teacher_student", "lang=swa", "data.dev_sentences=20", "experiment.teachers=[en,de]",
                              "experiment.weights={en: 3, de: 1}", "experiment.projection_weight=0.5", "aligner=eflomal",
                              f"model.encoder={word_encoder}", *FAST))
    assert len(list((tmp_path / "cache" / "train_source").glob("*.pt"))) == 2  # one teacher per source language
    assert metrics["data/teacher/de/train_sentences"] == 60 and metrics["projection/projected_share"] > 0.8
    assert metrics["test/f1"] > 0.5


@pytest.mark.parametrize("override, message", [
    ("experiment.teachers=[xx]", "no labelled NER corpus for teacher"),
    ("experiment.teachers=[]", "teachers is empty"),
    ("model.head=crf", "head=linear"),
    ("experiment.projection_weight=2", "experiment.projection_weight: expected a number >= 0 and <= 1, got 2"),
])
def test_config_errors(compose_cfg, ts_data, word_encoder, override, message):
    with pytest.raises(ConfigError, match=message):
        run(compose_cfg("experiment=teacher_student", "lang=swa", f"model.encoder={word_encoder}", override))
