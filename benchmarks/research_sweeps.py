"""Research sweeps of issue 7, each one multirun plus `python -m xner.report`, summarised in
docs/benchmarks.md with the report's table; plots are copied to docs/figures/.

    python benchmarks/research_sweeps.py languages [--langs hau,ibo,lug,luo,pcm,swa] [--epochs 2]
    python benchmarks/research_sweeps.py scaling [--lang swa] [--sizes 500,1000,2000,5000,10000,null]
    python benchmarks/research_sweeps.py teacher_student [--langs swa,hau,ibo]

Further Hydra overrides after the options go to every job (e.g. `model.batch_size=8 data.dev_sentences=0.1`, or
`experiment=...` to sweep fewer methods).

Every sweep shares one stage cache (--cache-dir), so source models, labels and alignments are reused.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import ROOT, copy_figures, machine, replace_section, today  # noqa: E402
from benchmarks.sweeps import run_sweep  # noqa: E402
from xner.report.__main__ import build_report, default_tracking_uri  # noqa: E402

TITLES = {
    "languages": "Languages x projection methods on MasakhaNER 2.0 (issue 7)",
    "scaling": "Scaling with the number of parallel sentences (issue 7)",
    "teacher_student": "Teacher-student learning vs projection (issue 7)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=sorted(TITLES))
    parser.add_argument("--langs", default=None)
    parser.add_argument("--lang", default="swa")
    parser.add_argument("--sizes", default="500,1000,2000,5000,10000,null")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--parallel-sentences", type=int, default=5000)
    parser.add_argument("--source-sentences", type=int, default=5000)
    parser.add_argument("--cache-dir", default=None)
    parser.add_argument("overrides", nargs="*", help="further Hydra overrides for every job")
    args = parser.parse_intermixed_args()
    common = [f"trainer.max_epochs={args.epochs}", "trainer.enable_progress_bar=false",
              f"source_model.max_sentences={args.source_sentences}"]
    if args.study == "languages":
        langs = args.langs or "hau,ibo,lug,luo,pcm,swa"
        overrides = ["sweep=languages_x_methods", f"lang={langs}", f"data.max_sentences={args.parallel_sentences}"]
        report_options = {"columns": ["experiment"]}
    elif args.study == "scaling":
        langs = args.lang
        overrides = ["sweep=scaling", f"lang={langs}", f"data.max_sentences={args.sizes}"]
        report_options = {"columns": ["data.max_sentences"]}
    else:
        langs = args.langs or "swa,hau,ibo"
        overrides = ["sweep=teacher_student_vs_projection", f"lang={langs}", f"data.max_sentences={args.parallel_sentences}"]
        report_options = {"columns": ["experiment"]}
    with tempfile.TemporaryDirectory(prefix=f"xner-{args.study}-") as tmp:
        cache = Path(args.cache_dir or Path(tmp) / "cache").resolve()
        # kept under multirun/ (ignored by git) so that the jobs of a sweep that fails later are not lost
        sweep_dir = ROOT / "multirun" / f"bench-{args.study}-{time.strftime('%Y%m%d-%H%M%S')}"
        started = time.perf_counter()
        run_sweep([*overrides, *common, *args.overrides, f"paths.cache_dir={cache}"], sweep_dir, f"bench_{args.study}")
        minutes = (time.perf_counter() - started) / 60
        out = build_report(str(sweep_dir), None, "test/f1", "lang", report_options["columns"], None, "data/parallel_sentences",
                           default_tracking_uri(), True)
        table = (out / "table.md").read_text()
        figures = copy_figures(out, args.study)
    command = " ".join(["python benchmarks/research_sweeps.py", args.study] + [a for a in sys.argv[2:]])
    lines = [f"## {TITLES[args.study]}", "",
             f"Test F1 on MasakhaNER 2.0 (PER/ORG/LOC, DATE -> O); offline e5 tagger, {args.epochs} epochs; English model on "
             f"{args.source_sentences} CoNLL-2003 sentences; simalign itermax; {args.parallel_sentences} MAFAND pairs unless the column "
             "says otherwise" + (f"; further overrides: `{' '.join(args.overrides)}`." if args.overrides else "."), "",
             f"- command: `{command}` (one multirun + `python -m xner.report`, {minutes:.0f} min)",
             f"- machine: {machine()}", f"- date: {today()}", "", table.strip(), ""]
    lines += [f"![{f.stem}]({f})" for f in figures]
    replace_section(f"research_{args.study}", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
