"""Issue 17 on 2 cores, in chunks: model transfer vs the best projection combination per MasakhaNER 2.0 language,
results merged across sessions in docs/results/issue17-cpu.json and written to the section `issue17-cpu-sweep`.

    python benchmarks/transfer_cpu_sweep.py [--langs hau,kin] [--methods mt,ilp_crf] [--out DIR] [--resume] [override ...]
    python benchmarks/transfer_cpu_sweep.py --collect DIR [DIR ...]   # merge finished run folders named <method>_<lang>
    python benchmarks/transfer_cpu_sweep.py --report-only

Every job adds `model.frozen_layers=8` (the target model trains 4 of 12 layers, to fit 2 cores); model transfer uses the
shared cached source model (fully fine-tuned), so the comparison handicaps projection, not model transfer. A job takes
2 min (model transfer) to 10-20 min (projection: label, align, 500+ updates, test) on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import ROOT, machine, replace_section  # noqa: E402

from xner.io import write_text_atomic  # noqa: E402

RESULTS = ROOT / "docs" / "results" / "issue17-cpu.json"
GPU_RESULTS = ROOT / "docs" / "results" / "issue17-gpu-h200-2026-11-26.json"
COMMON = ["model.frozen_layers=8", "logger=none"]  # (logs to a file: training progress as log lines, not a bar)
# English-source languages first (the cached CoNLL-2003 model labels their MAFAND side); the French-source five need
# a French source model trained once on 2 cores first
LANGS = ("xho", "nya", "kin", "hau", "sna", "tsn", "twi", "swa", "ibo", "lug", "luo", "pcm",
         "bam", "bbj", "ewe", "fon", "mos")
CRF = ["model.head=crf", "++source_model.model.head=linear", "trainer.min_steps=500"]  # the labeller stays the cached linear one
METHODS = {
    "mt": ["experiment=model_transfer"],
    "ilp": ["experiment=projection_ilp", "model.head=linear", "trainer.min_steps=500"],
    "ilp_crf": ["experiment=projection_ilp", *CRF],
    "ilp_crf_en": ["experiment=projection_ilp_en", *CRF],
    "ilp_ner_crf": ["experiment=projection_ilp_ner", *CRF],  # NER-model candidates, fused scores (the paper's best)
    "ilp_filter_crf": ["experiment=projection_ilp", "data.filter.unprojected=true", "data.filter.max_length_ratio=2.0", *CRF],
    # teacher-student (linear student): the English model alone, and with the French one (the two MAFAND source
    # languages' models, both cached once) averaged
    "ts": ["experiment=teacher_student_single", "trainer.min_steps=500"],
    "ts_multi": ["experiment=teacher_student", "experiment.teachers=[en,fr]", "trainer.min_steps=500"],
}
LABELS = {"mt": "model transfer", "ilp": "ILP", "ilp_crf": "ILP + CRF", "ilp_crf_en": "ILP + CRF + EN",
          "ilp_ner_crf": "ILP (NER candidates, fused) + CRF", "ilp_filter_crf": "ILP + filter + CRF",
          "ts": "teacher-student, en teacher", "ts_multi": "teacher-student, en+fr teachers"}
PROJECTION_BASED = tuple(m for m in METHODS if m.startswith("ilp"))
KEEP = ("test/f1", "dev/f1", "train/steps", "data/train_sentences", "stage/train/compute_seconds",
        "data/filter_dropped_unprojected", "data/filter_dropped_length_ratio")


def run(name: str, overrides: list[str], out: Path) -> dict:
    """One xner.run job in out/<name>; its kept metrics, or {} when it failed (its log says why)."""
    command = [sys.executable, "-m", "xner.run", *overrides, *COMMON, f"hydra.run.dir={out / name}"]
    started = time.time()
    log = out / f"{name}.log"
    print(f"{name}: running, log {log}", flush=True)
    with open(log, "w") as handle:
        rc = subprocess.run(command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"}).returncode
    seconds = time.time() - started
    print(f"{name}: rc={rc} in {seconds:.0f}s", flush=True)
    found = collect(out / name)
    return {**found, "wall_seconds": round(seconds)} if found else {}


def collect(folder: Path) -> dict:
    """The kept metrics of one finished run folder, with the date it finished; {} if it has no metrics.json."""
    path = folder / "metrics.json"
    if not path.is_file():
        return {}
    metrics = json.loads(path.read_text())
    kept = {key: metrics[key] for key in KEEP if key in metrics}
    return {**kept, "date": time.strftime("%Y-%m-%d", time.gmtime(path.stat().st_mtime)), "machine": machine()}


def load() -> dict[str, dict]:
    return json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}


def save(results: dict[str, dict]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(RESULTS, json.dumps(dict(sorted(results.items())), indent=1) + "\n")


def gpu_model_transfer() -> dict[str, float]:
    jobs = json.loads(GPU_RESULTS.read_text()) if GPU_RESULTS.is_file() else {}
    return {name.split("/")[1]: m["test/f1"] for name, m in jobs.items()
            if name.startswith("model_transfer/") and "test/f1" in m}


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def section(results: dict[str, dict]) -> str:
    """The languages x methods table: test F1, updates of the best projection-based run, its gain over model transfer."""
    f1 = {name: m["test/f1"] for name, m in results.items() if "test/f1" in m}
    gpu = gpu_model_transfer()
    methods = [m for m in METHODS if any(f"{m}_{lang}" in f1 for lang in LANGS)]
    lines = [
        "### All languages on 2 cores, in chunks (issue 17)",
        "",
        f"- machine: {machine()}; dates {', '.join(sorted({m['date'] for m in results.values() if 'date' in m}))}",
        "- command: `XNER_DATA_DIR=../shared/data python benchmarks/transfer_cpu_sweep.py --langs ... --resume` (chunks",
        "  merged in `docs/results/issue17-cpu.json`; this section is generated)",
        f"- every job adds `{' '.join(COMMON)}`: the target model trains 4 of 12 encoder layers; model transfer is the",
        "  shared cached source model, fully fine-tuned. ILP runs train at least 500 updates (`trainer.min_steps=500`);",
        "  CRF runs keep the cached linear labeller (`++source_model.model.head=linear`); +EN adds as many CoNLL-2003",
        "  gold sentences as projected ones (`experiment=projection_ilp_en`). Selection on held-out projected sentences.",
        "  Teacher-student rows: a linear student on the MAFAND target text, at least 500 updates, taught by the cached",
        "  English model or by the English and French models averaged; selection on held-out teacher labels.",
        "  The last column takes the best projection-based run (ILP rows) per language.",
        "",
        "| lang | " + " | ".join(LABELS[m] for m in methods) + " | model transfer, GPU table | best projection-based - model transfer |",
        "|" + "---|" * (len(methods) + 3),
    ]
    wins, gains, best_scores, mt_scores = 0, [], [], []
    for lang in LANGS:
        row = [f1.get(f"{m}_{lang}") for m in methods]
        if all(v is None for v in row):
            continue
        mt = f1.get(f"mt_{lang}")
        best = max((v for m, v in zip(methods, row) if m in PROJECTION_BASED and v is not None), default=None)
        gain = None if best is None or mt is None else best - mt
        if gain is not None:
            wins += gain > 0
            gains.append(gain)
            best_scores.append(best)
            mt_scores.append(mt)
        lines.append(f"| {lang} | " + " | ".join(fmt(v) for v in row) + f" | {fmt(gpu.get(lang))} | "
                     + ("-" if gain is None else f"{gain:+.3f}") + " |")
    if gains:
        lines += ["", f"Best projection-based run ahead of model transfer on **{wins} of {len(gains)}** languages with both; "
                  f"mean F1 {sum(best_scores) / len(gains):.3f} vs {sum(mt_scores) / len(gains):.3f} "
                  f"(mean difference {sum(gains) / len(gains):+.3f})."]
    lines += ["", "Updates and training seconds of the trained target models (projection and teacher-student runs):", "",
              "| job | projected train sentences | dropped by the filter | updates | dev F1 (projected) | train seconds | wall seconds |",
              "|---|---|---|---|---|---|---|"]
    for name, m in sorted(results.items()):
        if not name.startswith("mt_"):
            dropped = (m.get("data/filter_dropped_unprojected", 0) + m.get("data/filter_dropped_length_ratio", 0)
                       if name.startswith("ilp_filter") else "-")
            lines.append(f"| {name} | {m.get('data/train_sentences', 0):.0f} | {dropped} | {m.get('train/steps', 0):.0f} | "
                         f"{fmt(m.get('dev/f1'))} | {m.get('stage/train/compute_seconds', 0):.0f} | "
                         f"{m.get('wall_seconds', '-')} |")
    missing = [f"{m}_{lang}" for lang in LANGS for m in ("mt", "ilp_crf") if f"{m}_{lang}" not in f1]
    if missing:
        lines += ["", f"Not measured yet: {', '.join(missing)}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default=",".join(LANGS[:12]), help="comma-separated MasakhaNER codes")
    parser.add_argument("--methods", default="mt,ilp_crf", help=f"comma-separated, of {', '.join(METHODS)}")
    parser.add_argument("--out", type=Path, default=Path("/tmp/xner-transfer-cpu"), help="run folders and logs")
    parser.add_argument("--resume", action="store_true", help="skip jobs already in docs/results/issue17-cpu.json")
    parser.add_argument("--collect", type=Path, nargs="*", default=[], help="merge run folders named <method>_<lang>")
    parser.add_argument("--report-only", action="store_true", help="write the section from the results file")
    parser.add_argument("overrides", nargs="*", help="appended to every job, e.g. threads=1 (two chunks side by side)")
    args = parser.parse_args()
    results = load()
    for folder in args.collect:
        found = collect(folder) if folder.name.split("_")[-1] in LANGS else {}
        if found:
            results[folder.name] = found
            print(f"collected {folder.name} from {folder}")
    save(results)
    if not (args.report_only or args.collect):
        args.out.mkdir(parents=True, exist_ok=True)
        langs, methods = args.langs.split(","), args.methods.split(",")
        unknown = sorted(set(langs) - set(LANGS)) + sorted(set(methods) - set(METHODS))
        if unknown:
            sys.exit(f"transfer_cpu_sweep: unknown language or method: {', '.join(unknown)}")
        for lang in langs:
            for method in methods:
                name = f"{method}_{lang}"
                if args.resume and name in results:
                    continue
                found = run(name, [*METHODS[method], f"lang={lang}", *args.overrides], args.out)
                if found:
                    results = {**load(), name: found}
                    save(results)
                    replace_section("issue17-cpu-sweep", section(results))
    replace_section("issue17-cpu-sweep", section(results))
    print("wrote docs/results/issue17-cpu.json and the issue17-cpu-sweep section of docs/benchmarks.md")


if __name__ == "__main__":
    main()
