"""ONNX Runtime for the encoder passes: same outputs as torch, graphs cached per weights, torch when it is missing,
disagrees or is not asked for; a runtime choice is not part of a study job's identity."""

from __future__ import annotations

import logging
import sys

import numpy as np
import pytest

from tests.test_tagger import MODEL_CFG, make_corpus
from xner.errors import ConfigError
from xner.models import runtimes


def test_word_encoder_in_onnx_runtime_gives_torchs_vectors_and_caches_its_graph(two_layer_encoder, models_folder):
    from xner.models.encoder import WordEncoder

    sentences = [s.tokens for s in make_corpus(30, seed=4)[0]]
    plain = WordEncoder(two_layer_encoder, layer=2, device="cpu", runtime="torch")
    fast = WordEncoder(two_layer_encoder, layer=2, device="cpu", runtime="onnxruntime")
    assert plain.graph is None and fast.graph is not None
    graphs = sorted((models_folder / "onnx").glob("*-L2-*.onnx"))
    assert len(graphs) == 1
    stamp = graphs[0].stat().st_mtime_ns
    again = WordEncoder(two_layer_encoder, layer=2, device="cpu", runtime="auto")  # read back, not exported again
    assert again.graph is not None and graphs[0].stat().st_mtime_ns == stamp
    for a, b in zip(plain.embed(sentences), again.embed(sentences)):
        assert np.array_equal(a.word_ids, b.word_ids)
        assert np.abs(a.vectors - b.vectors).max() < 1e-4


@pytest.mark.parametrize("frozen", [0, 1])
def test_predictions_in_onnx_runtime_are_torchs(two_layer_encoder, tmp_path, frozen, caplog, monkeypatch):
    """Same spans with and without ONNX Runtime, for a whole encoder and for the layers above frozen ones (whose
    states come from the encoder's cached lower graph); the graph is dropped after the pass; a pass too small to
    repay the export stays in torch."""
    import torch

    from xner.models import states, training
    from xner.models.training import build_tagger, predict

    states.set_states_dir(tmp_path / "states" if frozen else None)
    try:
        model = build_tagger({**MODEL_CFG, "encoder": two_layer_encoder, "frozen_layers": frozen, "max_length": 64},
                             ["PER", "ORG", "LOC"])
        torch.manual_seed(3)
        torch.nn.init.normal_(model.head.weight, std=2.0)  # an untrained head that still predicts entities
        sentences = make_corpus(40, seed=5)[1]
        reference = predict(model, sentences, 64, 8, runtime="torch")
        states.set_states_dir(tmp_path / "states2" if frozen else None)  # each pass computes its states itself
        with caplog.at_level(logging.INFO, logger="xner.models.runtimes"):
            small = predict(model, sentences, 64, 8, runtime="onnxruntime")  # 40 sentences: below the threshold
        assert not any("NER model on" in r.message for r in caplog.records)
        caplog.clear()
        monkeypatch.setattr(training, "MIN_GRAPH_SENTENCES", 10)
        states.set_states_dir(tmp_path / "states3" if frozen else None)
        with caplog.at_level(logging.INFO, logger="xner.models.runtimes"):
            fast = predict(model, sentences, 64, 8, runtime="onnxruntime")
    finally:
        states.set_states_dir(None)
    assert sum(len(s.spans) for s in reference) > 5
    assert [s.spans for s in fast] == [s.spans for s in reference] == [s.spans for s in small]
    assert model.graph is None
    used = [r.message.split(":")[0] for r in caplog.records if "inference in ONNX Runtime" in r.message]
    assert "NER model on " + two_layer_encoder in used
    assert any("layers 1-1" in u for u in used) == bool(frozen)  # the frozen layer's states, by the encoder's graph


def test_missing_or_disagreeing_runtime_falls_back_to_torch(two_layer_encoder, monkeypatch, caplog):
    from xner.models.encoder import WordEncoder

    with pytest.raises(ConfigError, match="runtime 'tvm'"):
        runtimes.pick_runtime("tvm", "cpu")
    assert runtimes.pick_runtime("auto", "cuda") == "torch" and runtimes.pick_runtime("torch", "cpu") == "torch"
    monkeypatch.setattr(runtimes, "_warned", set())
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # not installed
    with caplog.at_level(logging.WARNING):
        assert runtimes.pick_runtime("onnxruntime", "cpu") == "torch"
        assert runtimes.pick_runtime("auto", "cpu") == "torch"
    assert sum("onnxruntime is not installed" in r.message for r in caplog.records) == 1  # said once, for the explicit ask
    monkeypatch.delitem(sys.modules, "onnxruntime")
    monkeypatch.setattr(runtimes, "TOLERANCE", -1.0)  # every check fails
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        encoder = WordEncoder(two_layer_encoder, layer=1, device="cpu", runtime="onnxruntime")
    assert encoder.graph is None and any("differs from torch" in r.message for r in caplog.records)
    assert encoder.embed([["a"]])[0].vectors.shape[1] == 32  # torch serves it


def test_the_runtime_is_not_part_of_a_jobs_identity():
    from omegaconf import OmegaConf

    from xner.study.plan import job_id

    base = {"lang": {"code": "swa"}, "model": {"head": "crf", "runtime": "auto"}, "aligner": {"layer": 8, "runtime": "auto"}}
    other = {"lang": {"code": "swa"}, "model": {"head": "crf", "runtime": "torch"}, "aligner": {"layer": 8}}
    changed = {"lang": {"code": "swa"}, "model": {"head": "linear", "runtime": "auto"}, "aligner": {"layer": 8}}
    assert job_id(OmegaConf.create(base)) == job_id(OmegaConf.create(other)) != job_id(OmegaConf.create(changed))
