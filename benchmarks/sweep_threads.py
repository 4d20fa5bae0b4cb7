"""Sweeps on a small machine: the same jobs one after another with all cores each, or two at a time with one
thread each (`hydra/launcher=local threads=1`).

    python -m benchmarks.sweep_threads [--jobs 4] [--sentences 600]

Each job is a small supervised run (gold MasakhaNER swa, a different seed per job, no stage cache, so every job
does all its work); both sweeps run the same jobs back to back. Writes a table to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.common import machine, replace_section, today, collect, run_sweep

VARIANTS = {"sequential, torch default threads": [], "2 parallel jobs x 1 thread": ["hydra/launcher=local", "threads=1"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--sentences", type=int, default=600)
    args = parser.parse_args()
    common = ["experiment=supervised", "lang=swa", f"data.max_sentences={args.sentences}", "trainer.max_epochs=1",
              "paths.use_cache=false", "seed=" + ",".join(str(13 + i) for i in range(args.jobs))]
    results = {}
    with tempfile.TemporaryDirectory(prefix="xner-bench-threads-") as tmp:
        for index, (name, extra) in enumerate(VARIANTS.items()):
            sweep = Path(tmp) / str(index)
            wall = run_sweep([*common, *extra], sweep, "bench_sweep_threads")
            rows = collect(sweep)
            results[name] = (wall, sum(r["test/f1"] for r in rows) / len(rows), len(rows))
            print(f"{name}: {wall:.0f}s", flush=True)
    base = next(iter(results.values()))[0]
    lines = ["## Sweeps on 2 cores: sequential vs 2 jobs x 1 thread (issue 15)", "",
             f"`python -m benchmarks.sweep_threads --jobs {args.jobs} --sentences {args.sentences}` on {machine()}, {today()}.",
             f"{args.jobs} supervised swa jobs ({args.sentences} gold sentences, 1 epoch, seeds 13..{12 + args.jobs}, no cache) per sweep.", "",
             "| sweep | wall s | speed-up | mean test F1 | jobs |", "|---|---|---|---|---|"]
    lines += [f"| {name} | {wall:.0f} | {base / wall:.2f}x | {f1:.3f} | {n} |" for name, (wall, f1, n) in results.items()]
    replace_section("sweep-threads", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
