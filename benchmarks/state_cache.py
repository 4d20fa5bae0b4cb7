"""Frozen-layer states computed once (`model.state_cache`, `aligner.state_cache`): alignment quality through the fp16
store, and NER training time and F1 per number of frozen layers with and without the cache.

    python -m benchmarks.state_cache [--pairs enfr,roen,jaen,zhen] [--lang swa] [--sentences 1500] [--epochs 2] [--ks 0,4,8,10]

Part 1 aligns each gold set with the similarity aligner (itermax, layer 8) with the store off and on. Part 2 is one
supervised sweep on gold MasakhaNER data: K=0 (full fine-tuning), then each K with the cache and, for K=8 (the
default), without it, one after another on the same data and seed, so timings are side by side. Writes docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.common import machine, replace_section, today, collect, run_sweep


def alignment_rows(pairs: str, tmp: Path) -> list[str]:
    overrides = ["experiment=alignment_eval", f"data.pair={pairs}", "aligner=simalign", "aligner.method=itermax",
                 "aligner.state_cache=false,true", f"paths.cache_dir={tmp / 'align-cache'}"]
    run_sweep(overrides, tmp / "align", "bench_state_cache")
    rows = {(str(r.get("data.pair")), str(r.get("aligner.state_cache")).lower()): r for r in collect(tmp / "align")}
    print(sorted(rows), flush=True)
    lines = ["| pair | AER fp32 | AER via fp16 store | difference |", "|---|---|---|---|"]
    for pair in pairs.split(","):
        off, on = rows[(pair, "false")]["alignment/aer"], rows[(pair, "true")]["alignment/aer"]
        lines.append(f"| {pair} | {off:.4f} | {on:.4f} | {on - off:+.4f} |")
    return lines


def training_rows(args, tmp: Path) -> tuple[list[str], float]:
    common = ["experiment=supervised", f"lang={args.lang}", f"data.max_sentences={args.sentences}",
              f"trainer.max_epochs={args.epochs}", f"paths.cache_dir={tmp / 'train-cache'}"]
    ks = [int(k) for k in args.ks.split(",")]
    wall = run_sweep([*common, f"model.frozen_layers={args.ks}", "model.state_cache=true"], tmp / "cached", "bench_state_cache")
    plain = 8 if 8 in ks else max(ks)  # the default K, also without the cache
    wall += run_sweep([*common, f"model.frozen_layers={plain}", "model.state_cache=false"], tmp / "plain", "bench_state_cache")
    rows = collect(tmp / "cached") + collect(tmp / "plain")

    def seconds(row: dict) -> float:  # training plus computing the frozen states it needed
        return row["train/seconds"] + row.get("train/states/seconds", 0.0)

    base = next(r for r in rows if int(r["model.frozen_layers"]) == 0)
    lines = ["| K | state cache | test F1 | dev F1 | train s (states s) | speed-up | test predict sentences/s |",
             "|---|---|---|---|---|---|---|"]
    for row in sorted(rows, key=lambda r: (int(r["model.frozen_layers"]), r["model.state_cache"])):
        k = int(row["model.frozen_layers"])
        lines.append(f"| {k} | {'-' if k == 0 else row['model.state_cache']} | {row['test/f1']:.3f} | {row['dev/f1']:.3f} | "
                     f"{seconds(row):.0f} ({row.get('train/states/seconds', 0.0):.0f}) | {seconds(base) / seconds(row):.2f}x | "
                     f"{row['test/sentences_per_second']:.1f} |")
        print(lines[-1], flush=True)
    return lines, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", default="enfr,roen,jaen,zhen")
    parser.add_argument("--lang", default="swa")
    parser.add_argument("--sentences", type=int, default=1500)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--ks", default="0,4,8,10")
    parser.add_argument("--skip-alignment", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xner-bench-states-") as tmp:
        align = [] if args.skip_alignment else alignment_rows(args.pairs, Path(tmp))
        train, wall = training_rows(args, Path(tmp))
    command = (f"python -m benchmarks.state_cache --pairs {args.pairs} --lang {args.lang} --sentences {args.sentences} "
               f"--epochs {args.epochs} --ks {args.ks}")
    lines = ["## Frozen-layer states computed once (issue 15)", "",
             f"`{command}` on {machine()}, {today()}.", ""]
    if align:
        lines += ["Similarity aligner (offline e5, layer 8, itermax) with its vectors read back from the fp16 store", "",
                  *align, ""]
    lines += [f"Supervised {args.lang}, gold MasakhaNER 2.0 train (first {args.sentences} sentences), {args.epochs} epochs, "
              "dev-selected; embeddings frozen as by default. Train seconds include computing the frozen layers' states "
              f"(in brackets); speed-up over K=0 in the same sweep ({wall / 60:.1f} min in all).", "", *train]
    replace_section("state-cache", "\n".join(lines))


if __name__ == "__main__":
    main()
