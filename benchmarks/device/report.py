"""Tables for docs/benchmarks.md from a finished (or cut) benchmarks/device/gpu_sweep.py run: languages x methods,
projected-data statistics, Wu et al. 2020 on the transfer corpora, and the diagnosis runs.

    python benchmarks/device/report.py RUNS_DIR [--section transfer-quality-gpu --header FILE] [--print]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.common import replace_section  # noqa: E402

METHOD_COLUMNS = ["model_transfer", "projection_heuristic", "projection_ilp", "projection_ilp_linear", "projection_ilp_en",
                  "projection_ilp_filter", "teacher_student_single", "teacher_student_multi"]
PROJECTION_BASED = ["projection_heuristic", "projection_ilp", "projection_ilp_linear", "projection_ilp_en", "projection_ilp_filter"]
WU_2020 = {"es": 0.769, "nl": 0.809, "de": 0.732}  # their single-source teacher-student (mBERT), as the issue quotes them


def load(runs: Path) -> dict[str, dict[str, float]]:
    """job name (method/lang) -> metrics of every job that wrote metrics.json (a runs folder, or the JSON this script
    saves with --save: docs/results/)."""
    if runs.is_file():
        return json.loads(runs.read_text())
    out = {}
    for metrics in sorted(runs.glob("*/metrics.json")):
        out[metrics.parent.name.replace("__", "/")] = json.loads(metrics.read_text())
    return out


def fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def f1(jobs: dict, name: str) -> float | None:
    return jobs.get(name, {}).get("test/f1")


def languages_table(jobs: dict) -> list[str]:
    langs = sorted({name.split("/")[1] for name in jobs if name.split("/")[0] in METHOD_COLUMNS})
    methods = [m for m in METHOD_COLUMNS if any(f"{m}/{lang}" in jobs for lang in langs)]
    lines = ["| lang | " + " | ".join(methods) + " | best projection-based - model transfer |", "|---" * (len(methods) + 2) + "|"]
    wins, gains, means = 0, [], {m: [] for m in methods}
    for lang in langs:
        row = [f1(jobs, f"{m}/{lang}") for m in methods]
        for m, value in zip(methods, row):
            if value is not None:
                means[m].append(value)
        transfer = f1(jobs, f"model_transfer/{lang}")
        best = max((v for m, v in zip(methods, row) if m in PROJECTION_BASED and v is not None), default=None)
        gain = None if transfer is None or best is None else best - transfer
        if gain is not None:
            gains.append(gain)
            wins += gain > 0
        lines.append(f"| {lang} | " + " | ".join(fmt(v) for v in row) + f" | {fmt(gain, 3) if gain is None else f'{gain:+.3f}'} |")
    mean_gain = f"**{sum(gains) / len(gains):+.3f}**" if gains else "-"
    lines.append("| **mean** | " + " | ".join(f"**{fmt(sum(v) / len(v))}** ({len(v)})" if v else "-" for v in means.values())
                 + f" | {mean_gain} |")
    lines += ["", f"Best projection-based method ahead of model transfer on **{wins} of {len(gains)}** languages with both."]
    return lines


def statistics_table(jobs: dict, method: str = "projection_ilp") -> list[str]:
    keys = [("label/source_entities", "source entities", 0), ("projection/projected_share", "projected share", 3),
            ("label/entities_per_sentence", "src ents/sent", 2), ("projection/entities_per_sentence", "proj ents/sent", 2),
            ("label/PER/i_per_b", "src PER I/B", 2), ("projection/PER/i_per_b", "proj PER I/B", 2),
            ("projection/sentences_with_unprojected_share", "sents w/ unprojected", 3),
            ("label/words_per_sentence", "src words/sent", 1), ("projection/words_per_sentence", "tgt words/sent", 1),
            ("train/split_sentences", "train sents split (>128 subwords)", 0)]
    lines = ["| lang | " + " | ".join(k[1] for k in keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for name in sorted(n for n in jobs if n.startswith(method + "/")):
        metrics = jobs[name]
        lines.append(f"| {name.split('/')[1]} | " + " | ".join(fmt(metrics.get(k), d) for k, _, d in keys) + " |")
    return lines


def wu_table(jobs: dict) -> list[str]:
    lines = ["| lang | model transfer (en) | teacher-student single (en) | teacher-student multi | Wu et al. 2020 TS single (mBERT) |",
             "|---|---|---|---|---|"]
    for lang in WU_2020:
        row = [f1(jobs, f"wu_model_transfer/{lang}"), f1(jobs, f"wu_teacher_student_single/{lang}"),
               f1(jobs, f"wu_teacher_student_multi/{lang}")]
        lines.append(f"| {lang} | " + " | ".join(fmt(v) for v in row) + f" | {WU_2020[lang]:.3f} |")
    return lines


def diagnosis_lines(jobs: dict) -> list[str]:
    lines = ["| diagnosis run | test F1 | notes |", "|---|---|---|"]
    for name in sorted(n for n in jobs if n.split("/")[0] in ("source_size", "domain_mafand", "domain_masakhaner_train")
                       or n.startswith("upper_bound")):
        m = jobs[name]
        if name.startswith("upper_bound"):
            note = (f"projection F1 vs gold {fmt(m.get('projection/f1'))}; trained on gold labels {fmt(m.get('test_gold/f1'))}, "
                    f"on projected {fmt(m.get('test_projected/f1'))}; lost to projection {fmt(m.get('extrinsic/f1_lost_to_projection'))}")
            lines.append(f"| {name} | {fmt(m.get('test_projected/f1'))} | {note} |")
        elif name.startswith("domain"):
            lines.append(f"| {name} | {fmt(m.get('test/f1'))} | {m.get('data/unlabelled_sentences', 0):.0f} sentences, "
                         f"teacher entities {m.get('teach/entities', 0):.0f} |")
        else:
            lines.append(f"| {name} | {fmt(m.get('test/f1'))} | source train sentences {m.get('source/train/sentences', float('nan')):.0f}, "
                         f"source dev F1 {fmt(m.get('source/dev/best_f1'))} |")
    return lines


def save(jobs: dict, path: Path) -> None:
    """The metrics worth keeping (no per-mode duplicates or supports), rounded: a few hundred kB for a whole sweep."""
    keep = {name: {k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()
                   if "/default/" not in k and not k.endswith("/support") and "sentences_per_second" not in k}
            for name, metrics in jobs.items()}
    path.write_text(json.dumps(keep, indent=0, sort_keys=True))


def plot(jobs: dict, path: Path) -> None:
    """Test F1 per language: model transfer, the best projection-based run, teacher-student (single)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    langs = sorted({n.split("/")[1] for n in jobs if n.startswith("model_transfer/")})
    series = {"model transfer": [f1(jobs, f"model_transfer/{lang}") or 0 for lang in langs],
              "best projection-based": [max((f1(jobs, f"{m}/{lang}") or 0 for m in PROJECTION_BASED), default=0) for lang in langs],
              "teacher-student (single)": [f1(jobs, f"teacher_student_single/{lang}") or 0 for lang in langs]}
    fig, ax = plt.subplots(figsize=(10, 3.6))
    width = 0.8 / len(series)
    for i, (label, values) in enumerate(series.items()):
        ax.bar([x + i * width for x in range(len(langs))], values, width, label=label)
    ax.set_xticks([x + width for x in range(len(langs))], langs)
    ax.set_ylabel("test F1 (MasakhaNER 2.0)")
    ax.legend(fontsize=8, ncol=3, loc="upper left")
    ax.set_ylim(0, 1)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def seconds_line(runs: Path) -> list[str]:
    table = runs.with_suffix(".jobs.tsv") if runs.is_file() else runs.parent / "jobs.tsv"
    if not table.is_file():
        return []
    rows = [line.split("\t") for line in table.read_text().splitlines() if line]
    done = [r for r in rows if r[1] == "0"]
    finished = {r[0] for r in done}
    cut = [r[0] for r in rows if r[1] == "timeout" and r[0] not in finished]  # (a --resume call may have finished it)
    total = sum(float(r[2]) for r in done)
    return [f"Jobs: {len(done)} finished, {total:.0f} job-seconds in all (several at a time on one GPU); stopped at the time "
            f"limit: {len(cut)} ({', '.join(cut) if cut else 'none'})."]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs")
    parser.add_argument("--section")
    parser.add_argument("--header", help="a file with the section's first lines (command, machine, date, budget)")
    parser.add_argument("--print", action="store_true")
    parser.add_argument("--save", help="write the kept metrics as JSON here (docs/results/...)")
    parser.add_argument("--plot", help="write the per-language bar chart here (docs/figures/...)")
    args = parser.parse_args()
    runs = Path(args.runs)
    jobs = load(runs)
    if args.save:
        save(jobs, Path(args.save))
    if args.plot:
        plot(jobs, Path(args.plot))
    body = []
    if args.header:
        body += Path(args.header).read_text().rstrip().splitlines() + [""]
    body += ["Test F1 (strict seqeval, PER/ORG/LOC) by language and method:", "", *languages_table(jobs), "",
             "Projected data (projection_ilp; the labelled English/French side and its projection):", "", *statistics_table(jobs), "",
             "Teacher-student on the transfer corpora against Wu et al. 2020:", "", *wu_table(jobs), "",
             "Diagnosis runs:", "", *diagnosis_lines(jobs), "", *seconds_line(runs)]
    text = "\n".join(body) + "\n"
    if args.section:
        replace_section(args.section, text)
    if args.print or not args.section:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
