"""Issue 16: how projection from image-caption parallel data scales with the number of caption pairs, on
XTREME-R languages (PAN-X test sets); each study is one multirun plus `python -m xner.report`, summarised in
docs/benchmarks.md (section per study) with the report's tables; plots are copied to docs/figures/.

    python benchmarks/caption_scaling.py scaling [--langs hin,ben] [--sizes 1000,2000,5000,10000] [--projectors heuristic,ilp]
    python benchmarks/caption_scaling.py mix [--langs hin] [--sizes 1000,5000] [--ratios 0,1]      # + English gold
    python benchmarks/caption_scaling.py comparable [--sizes 1000,2000,5000,10000]                 # deu: parallel vs comparable

Further Hydra overrides after the options go to every job. The runs use the project's stage cache, so the
English source model (all of CoNLL-2003, trained once) and each size's labels and alignments are reused.
The full preset for a GPU: `python -m xner.run -m sweep=caption_scaling trainer=gpu aligner.device=auto`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import ROOT, copy_figures, machine, replace_section, today  # noqa: E402
from benchmarks.sweeps import run_sweep  # noqa: E402
from xner.report.__main__ import build_report, default_tracking_uri  # noqa: E402

TITLES = {
    "scaling": "Image-caption projection: F1 and time against caption pairs, PAN-X hin/ben (issue 16)",
    "mix": "Image-caption projection mixed with English gold data (issue 16)",
    "comparable": "Parallel vs comparable captions, PAN-X German (issue 16)",
}


def control_lines(args, common: list[str]) -> list[str]:
    """The control of the mix study: English gold alone, as many sentences as each mixed run added, trained the
    same way (model transfer with `source_model.max_sentences`, the run's model overrides), on the same test set."""
    from benchmarks.sweeps import collect

    ratios = [float(r) for r in args.ratios.split(",") if float(r) > 0]
    counts = sorted({round(r * round(int(n) * 0.9)) for r in ratios for n in args.sizes.split(",")})
    model = [o.replace("model.", "source_model.model.", 1) for o in args.overrides if o.startswith("model.")]
    sweep_dir = ROOT / "multirun" / f"bench-captions-mix-control-{time.strftime('%Y%m%d-%H%M%S')}"
    overrides = ["experiment=model_transfer", f"lang={args.langs or 'hin'}", f"source_model.max_sentences={','.join(map(str, counts))}",
                 *model, *common]
    run_sweep(overrides, sweep_dir, "bench_captions_mix")
    lines = ["", "Control: English gold alone, as many sentences as the mixed runs added, trained the same way "
             f"(`{' '.join(overrides)}`):", "", "| lang | English gold sentences | test F1 |", "|---|---|---|"]
    for row in sorted(collect(sweep_dir), key=lambda r: (r["lang"], int(r["source_model.max_sentences"]))):
        lines.append(f"| {row['lang']} | {row['source_model.max_sentences']} | {row['test/f1']:.3f} |")
    return lines + [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=sorted(TITLES))
    parser.add_argument("--langs", default=None)
    parser.add_argument("--sizes", default="1000,2000,5000,10000")
    parser.add_argument("--projectors", default="heuristic,ilp")
    parser.add_argument("--ratios", default="0,1", help="mix: experiment.source_gold_ratio values")
    parser.add_argument("--report-only", type=Path, help="write the section from this (possibly partial) sweep folder, running nothing")
    parser.add_argument("overrides", nargs="*", help="further Hydra overrides for every job")
    args = parser.parse_intermixed_args()
    common = ["trainer.enable_progress_bar=false"]
    if args.study == "scaling":
        overrides = ["sweep=caption_scaling", f"lang={args.langs or 'hin,ben'}", f"data.max_sentences={args.sizes}",
                     f"projector={args.projectors}"]
        rows, columns = "lang", None
    elif args.study == "mix":
        overrides = ["sweep=caption_scaling", f"lang={args.langs or 'hin'}", f"data.max_sentences={args.sizes}",
                     "projector=heuristic", f"experiment.source_gold_ratio={args.ratios}"]
        rows, columns = "lang", None
    else:
        overrides = ["sweep=caption_comparable", f"data.max_sentences={args.sizes}", "projector=heuristic"]
        rows, columns = "parallel", None
    sweep_dir = ROOT / "multirun" / f"bench-captions-{args.study}-{time.strftime('%Y%m%d-%H%M%S')}"
    started = time.perf_counter()
    if args.report_only:
        sweep_dir = args.report_only.resolve()
    else:
        run_sweep([*overrides, *common, *args.overrides], sweep_dir, f"bench_captions_{args.study}")
    minutes = (time.perf_counter() - started) / 60
    out = build_report(str(sweep_dir), None, "test/f1", rows, columns, "data.max_sentences", "data/parallel_sentences",
                       default_tracking_uri(), True)
    figures = copy_figures(out, f"captions_{args.study}")
    command = " ".join(["python benchmarks/caption_scaling.py", args.study] + sys.argv[2:])
    lines = [f"## {TITLES[args.study]}", "",
             "Test F1 (PER/ORG/LOC) on the PAN-X test set of each language; English source model trained on all of CoNLL-2003 "
             "(cached, shared); offline e5 tagger, 3 epochs, a tenth of each size held out for model selection; simalign "
             "itermax" + (f"; further overrides: `{' '.join(args.overrides)}`." if args.overrides else "."), "",
             (f"- command: `{command}` (report of the finished jobs only)" if args.report_only else
              f"- command: `{command}` (one multirun + `python -m xner.report`, {minutes:.0f} min; sweep folder `{sweep_dir.relative_to(ROOT)}`)"),
             f"- machine: {machine()}", f"- date: {today()}", "", (out / "table.md").read_text().strip(), "",
             "Per size: test F1, the gain over model transfer on the same test set, minutes of the target model's training and "
             "of this size's own stages (label, align, project, train; the shared source model left out), and the F1 gained "
             "per added training minute from the previous size:", "", (out / "gain_per_minute.md").read_text().strip(), ""]
    if args.study == "mix" and not args.report_only:
        lines += control_lines(args, common)
    lines += [f"![{f.stem}]({f})" for f in figures]
    replace_section(f"captions_{args.study}", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
