"""One projection run end to end (`experiment=projection lang=swa`): seconds per stage, sentences/s, peak RSS.

    python benchmarks/pipeline_speed.py --quick      # old and new path on the same small data, side by side
    python benchmarks/pipeline_speed.py              # the default budget, new path, source model from the cache

`--quick` runs both paths in fresh caches with the same seed, one after the other, and prints as its last line
`speedup <x.xx> f1_delta <+d.ddd>` (new vs old wall time and test F1). The old path is today's defaults before
issue 15 (all layers trained, the source model's full dev split, Lightning's sanity-check pass); the new path is
the shipped defaults. Writes a table to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import ROOT, machine, replace_section, today  # noqa: E402

OLD_PATH = ["model.frozen_layers=0", "source_model.max_dev_sentences=null", "+trainer.num_sanity_val_steps=2"]
QUICK = ["source_model.max_sentences=2000", "data.max_sentences=1000", "data.dev_sentences=100", "trainer.max_epochs=2"]


def run_once(overrides: list[str], folder: Path) -> dict:
    """One `python -m xner.run` in `folder`; its metrics plus wall seconds and the process tree's peak RSS."""
    command = [sys.executable, "-m", "xner.run", "experiment=projection", "lang=swa", "logger=none",
               f"hydra.run.dir={folder}", *overrides]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"run failed ({status}): {' '.join(command)}")
    metrics = json.loads((folder / "metrics.json").read_text())
    return {**metrics, "wall": wall, "peak_rss_mb": usage.ru_maxrss / 1024}


def stage_rows(label: str, metrics: dict) -> list[str]:
    stages = sorted({k.split("/")[1] for k in metrics if k.startswith("stage/") and k.endswith("/seconds")})
    return [f"| {label} | {stage} | {metrics[f'stage/{stage}/seconds']:.1f} | "
            f"{'cached' if metrics.get(f'stage/{stage}/cache_hit') else 'computed'} |" for stage in stages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xner-bench-pipeline-") as tmp:
        if args.quick:
            runs = {}
            for name, extra in (("old", OLD_PATH), ("new", [])):
                cache = Path(tmp) / f"cache-{name}"
                runs[name] = run_once([*QUICK, *extra, f"paths.cache_dir={cache}"], Path(tmp) / name)
            speedup = runs["old"]["wall"] / runs["new"]["wall"]
            delta = runs["new"]["test/f1"] - runs["old"]["test/f1"]
            summary = f"speedup {speedup:.2f} f1_delta {delta:+.3f}"
            command = "python benchmarks/pipeline_speed.py --quick"
            table = ["| path | wall s | test F1 | peak RSS MB |", "|---|---|---|---|"]
            table += [f"| {name} | {m['wall']:.0f} | {m['test/f1']:.3f} | {m['peak_rss_mb']:.0f} |" for name, m in runs.items()]
            stages = [row for name, m in runs.items() for row in stage_rows(name, m)]
        else:
            runs = {"new": run_once([], Path(tmp) / "new")}  # the project's cache: the source model is reused
            summary = f"wall {runs['new']['wall']:.0f}s test_f1 {runs['new']['test/f1']:.3f}"
            command = "python benchmarks/pipeline_speed.py"
            m = runs["new"]
            table = ["| wall s | test F1 | peak RSS MB | train sentences/s |", "|---|---|---|---|",
                     f"| {m['wall']:.0f} | {m['test/f1']:.3f} | {m['peak_rss_mb']:.0f} | {m.get('train/examples_per_second', 0):.1f} |"]
            stages = stage_rows("new", m)
    lines = [f"## One projection run, {'quick, old vs new path' if args.quick else 'default budget'} (issue 15)", "",
             f"`{command}` on {machine()}, {today()}.", "", *table, "", "| path | stage | seconds | |", "|---|---|---|---|",
             *stages, "", f"`{summary}`"]
    replace_section("pipeline-speed-quick" if args.quick else "pipeline-speed", "\n".join(lines))
    print(summary)


if __name__ == "__main__":
    main()
