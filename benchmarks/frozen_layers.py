"""F1 and training time per number of frozen encoder layers (`model.frozen_layers=K`), on gold MasakhaNER data.

    python benchmarks/frozen_layers.py [--lang swa] [--sentences 1500] [--epochs 2] [--ks 0,4,8,12]

One supervised run per K, same data, seed and budget, run one after another in one sweep (so the timings are
side by side). Writes a table to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import machine, replace_section, today  # noqa: E402
from benchmarks.sweeps import collect, run_sweep  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="swa")
    parser.add_argument("--sentences", type=int, default=1500)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--ks", default="0,4,8,12")
    args = parser.parse_args()
    overrides = ["experiment=supervised", f"lang={args.lang}", f"data.max_sentences={args.sentences}",
                 f"trainer.max_epochs={args.epochs}", f"model.frozen_layers={args.ks}"]
    with tempfile.TemporaryDirectory(prefix="xner-bench-frozen-") as tmp:
        wall = run_sweep([*overrides, f"paths.cache_dir={Path(tmp) / 'cache'}"], Path(tmp) / "sweep", "bench_frozen_layers")
        rows = sorted(collect(Path(tmp) / "sweep"), key=lambda row: int(row["model.frozen_layers"]))
    base = next(row for row in rows if int(row["model.frozen_layers"]) == 0)
    lines = [
        "## Frozen encoder layers: F1 against training time (issue 15)",
        "",
        f"Supervised {args.lang} (gold MasakhaNER 2.0 train, first {args.sentences} sentences, {args.epochs} epochs, dev-selected),",
        "offline multilingual-e5-small (12 layers, embeddings frozen as by default), CPU. `K` lowest layers frozen:",
        "no gradients and no dropout there. Speed-up is train seconds at K=0 over train seconds at K, same sweep.",
        "",
        f"`python benchmarks/frozen_layers.py --lang {args.lang} --sentences {args.sentences} --epochs {args.epochs} "
        f"--ks {args.ks}` on {machine()}, {today()} ({wall / 60:.1f} min in all).",
        "",
        "| K | test F1 | dev F1 | train s | sentences/s | speed-up | trainable parameters |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(f"| {row['model.frozen_layers']} | {row['test/f1']:.3f} | {row['dev/f1']:.3f} | {row['train/seconds']:.0f} | "
                     f"{row['train/examples_per_second']:.1f} | {base['train/seconds'] / row['train/seconds']:.2f}x | "
                     f"{row['train/trainable_parameters'] / 1e6:.1f}M |")
        print(lines[-1], flush=True)
    replace_section("frozen-layers", "\n".join(lines))


if __name__ == "__main__":
    main()
