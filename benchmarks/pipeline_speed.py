"""One projection job end to end (`experiment=projection lang=swa`), old path against new, side by side: seconds per
stage, test F1, sentences/s, peak RSS.

    python -m benchmarks.pipeline_speed --quick      # both paths on data.max_sentences=1500
    python -m benchmarks.pipeline_speed              # both paths at the default budget (5,000 pairs)

Every run starts from an empty stage cache holding only the English source model, copied from the project's cache
(train it once with `python -m xner.run experiment=model_transfer lang=swa`), so alignment, labelling,
projection, training and testing are all computed. The old path is the user's command before the speed work of
the frozen_layers study: all encoder layers trained (model.frozen_layers=0) and every encoder pass in torch. The
new path is the shipped defaults. The last line is `speedup <x.xx> f1_delta <+d.ddd>` (new vs old wall time and
test F1). Writes a section of docs/results/speed.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, machine, replace_section, today

OLD_PATH = ["model.frozen_layers=0", "model.runtime=torch", "aligner.runtime=torch", "labeller.runtime=torch",
            "+source_model.model.runtime=auto"]  # the same cached source model (model keys before 2026-12-06 held
                                                 # model.runtime, which changes no weight: training runs in torch)
NEW_PATH: list[str] = []  # the shipped defaults
QUICK = ["data.max_sentences=1500"]


def project_cache() -> Path:
    base = os.environ.get("XNER_CACHE_DIR") or str(ROOT / ".cache" / "xner")
    return Path(base) / "stages"


def seeded_cache(folder: Path) -> Path:
    """An empty stage cache with the project's cached source models in it (nothing else)."""
    source = project_cache() / "train_source"
    models = sorted(source.glob("*.pt")) if source.is_dir() else []
    if not models:
        raise SystemExit(f"no cached source model in {source}: train it once with "
                         "`python -m xner.run experiment=model_transfer lang=swa` (about 40 min on 2 cores)")
    (folder / "train_source").mkdir(parents=True)
    for model in models:
        for path in (model, model.with_suffix(".meta.json")):
            if path.is_file():
                shutil.copy2(path, folder / "train_source" / path.name)
    return folder


def run_once(overrides: list[str], folder: Path) -> dict:
    """One `python -m xner.run` in `folder`; its metrics plus wall seconds and the process tree's peak RSS."""
    command = [sys.executable, "-m", "xner.run", "experiment=projection", "lang=swa", "logger=none",
               f"hydra.run.dir={folder}", *overrides]
    print("+", " ".join(command[1:]), flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"run failed ({status}): {' '.join(command)}")
    metrics = json.loads((folder / "metrics.json").read_text())
    if not metrics.get("stage/train_source/cache_hit"):
        raise SystemExit("the source model was not a cache hit: the benchmark would time its training")
    return {**metrics, "wall": wall, "peak_rss_mb": usage.ru_maxrss / 1024}


def stage_rows(label: str, metrics: dict) -> list[str]:
    """Seconds per stage (and per uncached step such as predicting the test split)."""
    names = [k[: -len("/seconds")] for k in metrics if k.startswith(("stage/", "step/")) and k.endswith("/seconds")]
    return [f"| {label} | {name.split('/', 1)[1]} | {metrics[f'{name}/seconds']:.1f} | "
            f"{'cached' if metrics.get(f'{name}/cache_hit') else 'computed'} |" for name in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"small data ({' '.join(QUICK)}), old and new path")
    parser.add_argument("--paths", default="old,new", help="old,new (default), or one of them")
    args = parser.parse_args()
    names = args.paths.split(",")
    with tempfile.TemporaryDirectory(prefix="xner-bench-pipeline-") as tmp:
        runs = {}
        for name in names:
            cache = seeded_cache(Path(tmp) / f"cache-{name}")
            extra = OLD_PATH if name == "old" else NEW_PATH
            runs[name] = run_once([*(QUICK if args.quick else []), *extra, f"paths.cache_dir={cache}"], Path(tmp) / name)
    if len(runs) == 2:
        speedup = runs["old"]["wall"] / runs["new"]["wall"]
        summary = f"speedup {speedup:.2f} f1_delta {runs['new']['test/f1'] - runs['old']['test/f1']:+.3f}"
    else:
        (m,) = runs.values()
        summary = f"wall {m['wall']:.0f}s test_f1 {m['test/f1']:.3f}"
    command = "python -m benchmarks.pipeline_speed" + (" --quick" if args.quick else "") + (f" --paths {args.paths}" if args.paths != "old,new" else "")
    table = ["| path | wall s | test F1 | dev F1 (projected) | train sentences | train sentences/s | peak RSS MB |",
             "|---|---|---|---|---|---|---|"]
    table += [f"| {name} | {m['wall']:.0f} | {m['test/f1']:.3f} | {m['dev/f1']:.3f} | {m['data/train_sentences']:.0f} | "
              f"{m['train/examples_per_second']:.1f} | {m['peak_rss_mb']:.0f} |" for name, m in runs.items()]
    stages = [row for name, m in runs.items() for row in stage_rows(name, m)]
    size = "quick, " + " ".join(QUICK) if args.quick else "default budget"
    lines = [f"## One projection job, swa, {size}: old path against new", "",
             f"old: `{' '.join(OLD_PATH)}`; new: the shipped defaults.", "",
             f"`{command}` on {machine()}, {today()}.", "", *table, "", "| path | stage | seconds | |", "|---|---|---|---|",
             *stages, "", f"`{summary}`"]
    replace_section("pipeline-speed-quick" if args.quick else "pipeline-speed", "\n".join(lines))
    print(summary)


if __name__ == "__main__":
    main()
