"""Controlled runs for issue 17 on 2 cores: each pair differs in one setting (updates, head, aligner), beside
model transfer with the same cached English model, so a lever's effect is measured on one machine and stack.

    python benchmarks/transfer_controls.py [--out DIR] [--only NAME,...] [--resume] [--report-only]

The target model has K=8 frozen layers (`model.frozen_layers=8`) to fit 2 cores; model transfer uses the shared
cached source model. Jobs run one after another (about 100 min in all); `--resume` skips jobs with a metrics.json.
Writes the section `issue17-controls` of docs/benchmarks.md.
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
from benchmarks.common import ROOT, machine, replace_section, today  # noqa: E402

COMMON = ["model.frozen_layers=8", "logger=none", "trainer.enable_progress_bar=false"]
SMALL_SETS = ("kin", "nya", "sna", "tsn")  # the fewest default updates in the GPU sweep (120-159), with xho
FLOOR = {"hau": 501}  # hau: the update count of the GPU sweep's hau ILP+EN run, without its English gold


def jobs() -> list[tuple[str, list[str]]]:
    """(name, overrides): model transfer per language, the Europarl upper bound with a floor of updates, ILP at
    3 epochs vs a floor of updates, and at 500 updates the CRF head (xho, nya) and eflomal (xho)."""

    def pair(lang: str) -> list[tuple[str, list[str]]]:
        linear = ["experiment=projection_ilp", "model.head=linear", f"lang={lang}"]  # the head these rows measured
        return [(f"ilp_{lang}", [*linear, "trainer.min_steps=null"]),
                (f"ilp_{lang}_floor", [*linear, f"trainer.min_steps={FLOOR.get(lang, 500)}"])]

    out = [(f"mt_{lang}", ["experiment=model_transfer", f"lang={lang}"]) for lang in ("xho", "hau", *SMALL_SETS)]
    out.append(("ub_de_ilp", ["experiment=europarl_intrinsic", "lang=de", "aligner=simalign", "projector=ilp", "model=tagger",
                              "trainer.min_steps=400",
                              "experiment.extrinsic={test: {dataset: transfer, lang: de}, dev_sentences: 80}"]))
    out += [job for lang in SMALL_SETS[:2] for job in pair(lang)]
    crf = ["model.head=crf", "++source_model.model.head=linear", "trainer.min_steps=500"]  # the labeller stays linear (cached)
    out += [("xho_crf_s500", ["experiment=projection_ilp", "lang=xho", *crf]),
            ("xho_eflomal_s500", ["experiment=projection_ilp", "lang=xho", "aligner=eflomal", "model.head=linear",
                                  "trainer.min_steps=500"]),
            ("nya_crf_s500", ["experiment=projection_ilp", "lang=nya", *crf])]
    return out + [job for lang in (*SMALL_SETS[2:], "xho", "hau") for job in pair(lang)]


def run(name: str, overrides: list[str], out: Path) -> None:
    command = [sys.executable, "-m", "xner.run", *overrides, *COMMON, f"hydra.run.dir={out / name}"]
    started = time.time()
    with open(out / f"{name}.log", "w") as log:
        rc = subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"}).returncode
    print(f"{name}: rc={rc} in {time.time() - started:.0f}s; log {out / f'{name}.log'}", flush=True)


def metrics(out: Path, name: str) -> dict:
    path = out / name / "metrics.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def fmt(value) -> str:
    return "" if value is None else f"{value:.3f}"


def section(out: Path) -> str:
    lines = [
        "### Controlled runs on 2 cores, second set (issue 17)",
        "",
        f"- machine: {machine()}; date {today()}",
        "- command: `XNER_DATA_DIR=../shared/data python benchmarks/transfer_controls.py` (this section is generated)",
        f"- every job adds `{' '.join(COMMON)}`; model transfer uses the shared cached",
        "  English model (the projection runs' labeller), so each row compares on one machine and stack. ILP rows:",
        "  MAFAND pairs, 3 epochs alone (`trainer.min_steps=null`, the default when these runs were made) vs a floor of 500 updates",
        "  (`trainer.min_steps=500`; hau 501, the update count of the GPU sweep's hau ILP+EN run). Selection is on",
        "  held-out projected sentences.",
        "",
        "| lang | model transfer | ILP, 3 epochs | updates | ILP, floor of updates | updates | floor - MT |",
        "|---|---|---|---|---|---|---|",
    ]
    for lang in ("xho", "hau", *SMALL_SETS):
        if not metrics(out, f"ilp_{lang}") and not metrics(out, f"ilp_{lang}_floor"):
            continue  # listed under "not run" below
        mt = metrics(out, f"mt_{lang}").get("test/f1")
        base = metrics(out, f"ilp_{lang}")
        floor = metrics(out, f"ilp_{lang}_floor")
        gain = floor.get("test/f1") - mt if floor.get("test/f1") is not None and mt is not None else None
        lines.append(f"| {lang} | {fmt(mt)} | {fmt(base.get('test/f1'))} | {base.get('train/steps', 0):.0f} | "
                     f"{fmt(floor.get('test/f1'))} | {floor.get('train/steps', 0):.0f} | {'' if gain is None else f'{gain:+.3f}'} |")
    lines += ["", "At 500 updates, one setting changed against the linear-head simalign row above (same projected data unless",
              "the aligner changes; the CRF runs keep the cached linear labeller, `++source_model.model.head=linear`):", "",
              "| lang | variant | dev F1 (projected) | test F1 | test F1, linear simalign | train seconds |",
              "|---|---|---|---|---|---|"]
    for name, label in (("xho_crf_s500", "CRF head (`model.head=crf`)"), ("nya_crf_s500", "CRF head (`model.head=crf`)"),
                        ("xho_eflomal_s500", "eflomal aligner (all 1,488 MAFAND pairs)")):
        m, lang = metrics(out, name), name.split("_")[0]
        lines.append(f"| {lang} | {label} | {fmt(m.get('dev/f1'))} | {fmt(m.get('test/f1'))} | "
                     f"{fmt(metrics(out, f'ilp_{lang}_floor').get('test/f1'))} | {m.get('stage/train/compute_seconds', 0):.0f} |")
    ub = metrics(out, "ub_de_ilp")
    lines += ["", "Europarl de upper bound (`experiment.extrinsic`, ILP over simalign, `trainer.min_steps=400`): target models",
              "trained on projected vs gold labels of the same Europarl sentences, tested on `transfer/de`.", "",
              "| labels | updates | test F1 |", "|---|---|---|",
              f"| projected | {ub.get('projected/train/steps', 0):.0f} | {fmt(ub.get('test_projected/f1'))} |",
              f"| gold | {ub.get('gold/train/steps', 0):.0f} | {fmt(ub.get('test_gold/f1'))} |",
              f"| F1 lost to projection | | {fmt(ub.get('extrinsic/f1_lost_to_projection'))} |",
              f"| intrinsic projection F1 | | {fmt(ub.get('projection/f1'))} |"]
    missing = [name for name, _ in jobs() if not metrics(out, name)]
    if missing:
        lines += ["", f"Not run (no metrics.json in the output folder): {', '.join(missing)}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/xner-transfer-controls"))
    parser.add_argument("--only", default="", help="comma-separated job names")
    parser.add_argument("--resume", action="store_true", help="skip jobs that already have a metrics.json")
    parser.add_argument("--report-only", action="store_true", help="write the section from the runs in --out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    only = set(filter(None, args.only.split(",")))
    if not args.report_only:
        for name, overrides in jobs():
            if (only and name not in only) or (args.resume and metrics(args.out, name)):
                continue
            run(name, overrides, args.out)
    replace_section("issue17-controls", section(args.out))
    print(f"wrote the issue17-controls section of docs/benchmarks.md from {args.out}")


if __name__ == "__main__":
    main()
