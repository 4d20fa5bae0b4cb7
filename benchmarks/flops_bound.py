"""What bounds a job's training time on this machine: the encoder FLOPs a finished job's training did, against the
matmul throughput measured here, beside the seconds it took.

    python -m benchmarks.flops_bound JOB_DIR [JOB_DIR ...]      # e.g. multirun/studies/frozen_layers/<id>

FLOPs per subword and layer (forward) are 2 x (4h^2 + 2hf) + 4nh for hidden size h, feed-forward size f and n
subwords per sentence; a training step runs the trainable layers forward and backward (3x forward) on a batch, and
every epoch's dev pass runs them forward once. Subwords per sentence are measured on the job's parallel corpus
(target side, the encoder's tokenizer). Matmul throughput is measured on the layers' own shapes (a batch of 32
sentences of n subwords by h x f), fp32, at the job's threads; the bound is FLOPs / throughput, a floor no
implementation on this machine goes under without doing less arithmetic.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from omegaconf import OmegaConf

from benchmarks.common import machine, replace_section, today


def matmul_gflops(rows: int, hidden: int, ffn: int, seconds: float = 3.0) -> float:
    """fp32 GFLOP/s of (rows x h) @ (h x f) and back, the feed-forward's shapes, over about `seconds`."""
    a, w1, w2 = torch.randn(rows, hidden), torch.randn(hidden, ffn), torch.randn(ffn, hidden)
    for _ in range(3):
        (a @ w1) @ w2
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        (a @ w1) @ w2
        done += 1
    return done * 4 * rows * hidden * ffn / (time.perf_counter() - started) / 1e9


def subwords_per_sentence(cfg, lines: int = 2000) -> float:
    """Mean subwords per target sentence of the parallel text the job read (its first `lines` pairs)."""
    from transformers import AutoTokenizer

    import xner.runtime  # noqa: F401  (the config's resolvers)
    from xner.models.encoder import resolve_model
    from xner.stages.projection import parallel_words

    _, targets, _ = parallel_words(cfg)
    sentences = [t for t in targets[:lines] if t]
    tokenizer = AutoTokenizer.from_pretrained(resolve_model(str(cfg.model.encoder)))
    ids = tokenizer(sentences, is_split_into_words=True, truncation=True, max_length=int(cfg.model.max_length))["input_ids"]
    return sum(map(len, ids)) / len(ids)


def bound_row(job: Path, gflops_cache: dict) -> str:
    cfg = OmegaConf.load(job / ".hydra" / "config.yaml")
    metrics = json.loads((job / "metrics.json").read_text())
    from transformers import AutoConfig

    from xner.models.encoder import resolve_model

    encoder = AutoConfig.from_pretrained(resolve_model(str(cfg.model.encoder)))
    h, f, layers = encoder.hidden_size, encoder.intermediate_size, encoder.num_hidden_layers
    frozen = int(cfg.model.frozen_layers)
    n = subwords_per_sentence(cfg)
    per_token_layer = 2 * (4 * h * h + 2 * h * f) + 4 * n * h
    trainable = layers - frozen
    train_tokens = metrics["train/steps"] * int(cfg.model.batch_size) * n
    dev_tokens = metrics["data/dev_sentences"] * metrics["train/epochs"] * n
    flops = per_token_layer * trainable * (3 * train_tokens + dev_tokens)
    rows = int(cfg.model.batch_size) * round(n)
    key = (rows, h, f)
    if key not in gflops_cache:
        gflops_cache[key] = matmul_gflops(rows, h, f)
    floor = flops / (gflops_cache[key] * 1e9)
    took = metrics["train/seconds"]
    return (f"| {cfg.lang.code} K={frozen} | {metrics['train/steps']:.0f} x {cfg.model.batch_size} | {n:.1f} | "
            f"{flops / 1e12:.1f} | {gflops_cache[key]:.0f} | {floor:.0f} | {took:.0f} | {floor / took:.0%} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jobs", nargs="+", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(torch.get_num_threads())
    cache: dict = {}
    rows = [bound_row(job, cache) for job in args.jobs]
    lines = ["## What bounds training time: FLOPs against measured matmul throughput", "",
             f"`python -m benchmarks.flops_bound {' '.join(str(j) for j in args.jobs)}` on {machine()}, {today()} "
             f"(threads: {torch.get_num_threads()}).", "",
             "| job | steps x batch | subwords / sentence | TFLOP (train + dev) | matmul GFLOP/s | floor s | took s | "
             "floor / took |", "|---|---|---|---|---|---|---|---|", *rows]
    replace_section("flops-bound", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
