"""The issue-17 sweep as independent `python -m xner.run` jobs, several at a time on one GPU: the source
models first (one job each, in parallel), then one worker per language running its methods in order (so
label/align stages are computed once and reused). Every finished job appends a row to <out>/jobs.tsv at
once, so a run stopped at its time limit still reports what it finished.

    python benchmarks/device/gpu_sweep.py --out DIR [--workers 10] [--langs hau,swa] [--deadline 540] [-- OVERRIDES]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MASAKHANER = "hau ibo kin lug luo nya pcm sna swa tsn twi xho bam bbj ewe fon mos".split()
WU = {"es": ["en", "de", "nl"], "nl": ["en", "de", "es"], "de": ["en", "es", "nl"]}  # Wu et al. 2020: the other languages teach
METHODS = {  # name -> overrides (in the order a language's worker runs them)
    "model_transfer": ["experiment=model_transfer"],
    "projection_heuristic": ["experiment=projection_heuristic"],
    "projection_ilp": ["experiment=projection_ilp"],
    "teacher_student_single": ["experiment=teacher_student_single"],
    "projection_ilp_en": ["experiment=projection_ilp", "experiment.source_gold_ratio=1.0"],
    "projection_ilp_filter": ["experiment=projection_ilp", "++data.filter.unprojected=true"],
    "teacher_student_multi": ["experiment=teacher_student_multi"],
    # projection trains a CRF target head by default (issue 17); the linear head on the same data, for the comparison
    "projection_ilp_linear": ["experiment=projection_ilp", "model.head=linear"],
}


FIRST = ("model_transfer", "projection_heuristic", "projection_ilp", "teacher_student_single")  # before Wu and the diagnosis


def transfer_target(lang: str) -> str:
    return f"data.target={{dataset: transfer, lang: {lang}, split: test}}"


def source_jobs() -> list[tuple[str, list[str]]]:
    """One job per source model (en, fr, de, es, nl), each also a model-transfer score."""
    return [
        ("source_en/model_transfer/swa", ["experiment=model_transfer", "lang=swa"]),
        ("source_fr/model_transfer/bam", ["experiment=model_transfer", "lang=bam"]),
        ("source_de/model_transfer/nl", ["experiment=model_transfer", "lang=nl", "source_model.lang=de"]),
        ("source_nl/model_transfer/es", ["experiment=model_transfer", "lang=es", "source_model.lang=nl", transfer_target("es")]),
        ("source_es/model_transfer/de", ["experiment=model_transfer", "lang=de", "source_model.lang=es", transfer_target("de")]),
    ]


def language_jobs(lang: str, methods: list[str]) -> list[tuple[str, list[str]]]:
    return [(f"{method}/{lang}", [*METHODS[method], f"lang={lang}"]) for method in methods]


def wu_jobs(lang: str) -> list[tuple[str, list[str]]]:
    """Wu et al. 2020 on the transfer corpora: model transfer, single- and multi-source teacher-student on the target train text."""
    common = [f"lang={lang}", transfer_target(lang)]
    text = f"experiment.unlabelled={{dataset: transfer, lang: {lang}, split: train}}"
    teachers = "[" + ",".join(WU[lang]) + "]"
    return [(f"wu_model_transfer/{lang}", ["experiment=model_transfer", *common]),
            (f"wu_teacher_student_single/{lang}", ["experiment=teacher_student", *common, text, "experiment.teachers=[en]"]),
            (f"wu_teacher_student_multi/{lang}", ["experiment=teacher_student", *common, text, f"experiment.teachers={teachers}"])]


def diagnosis_jobs() -> list[tuple[str, list[str]]]:
    """The English source model on CoNLL-2003 test by training size; Hausa and Swahili teacher-student on the MAFAND
    text vs the in-domain MasakhaNER train text (labels dropped), same size: does the parallel text's domain matter?
    Europarl de/es: target models trained on projected vs gold labels of the same sentences (projection noise alone)."""
    jobs = [("source_size/full/en", ["experiment=model_transfer", "lang=en"])]
    jobs += [(f"source_size/{n}/en", ["experiment=model_transfer", "lang=en", f"source_model.max_sentences={n}"]) for n in (1000, 3000)]
    for lang, size in (("hau", 3098), ("swa", 3098)):
        base = ["experiment=teacher_student", f"lang={lang}", f"data.max_sentences={size}"]
        jobs.append((f"domain_mafand/{lang}", base))
        jobs.append((f"domain_masakhaner_train/{lang}", [*base, f"experiment.unlabelled={{dataset: masakhaner2, lang: {lang}, split: train}}"]))
    for lang in ("de", "es"):  # projection noise alone: projected vs gold labels of the same Europarl sentences
        for projector in ("heuristic", "ilp"):
            jobs.append((f"upper_bound_{projector}/{lang}", ["experiment=europarl_intrinsic", f"lang={lang}", "aligner=simalign",
                                                             f"projector={projector}", "model=tagger",
                                                             f"experiment.extrinsic={{test: {{dataset: transfer, lang: {lang}}}, dev_sentences: 80}}"]))
    return jobs


DONE: set[str] = set()  # jobs a previous call finished (--resume)


def run_job(name: str, overrides: list[str], common: list[str], out: Path, deadline: float) -> None:
    if name in DONE:
        return
    runs = out / "runs" / name.replace("/", "__")
    runs.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "xner.run", *overrides, *common, f"hydra.run.dir={runs}"]
    start = time.time()
    left = deadline - start
    if left < 20:
        rc, f1 = "skipped", ""
    else:
        with (runs / "stdout.log").open("w") as log:
            try:
                rc = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, timeout=left).returncode
            except subprocess.TimeoutExpired:
                rc = "timeout"
        metrics = runs / "metrics.json"
        f1 = f"{json.loads(metrics.read_text()).get('test/f1', float('nan')):.4f}" if metrics.is_file() else ""
    with (out / "jobs.tsv").open("a") as table:
        table.write(f"{name}\t{rc}\t{time.time() - start:.1f}\t{f1}\t{' '.join(overrides)}\n")
    print(f"[{time.time() - START:6.0f}s] {name}: rc={rc} test/f1={f1}", flush=True)


START = time.time()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--workers", type=int, default=10)
    parser.add_argument("--langs", default=",".join(MASAKHANER))
    parser.add_argument("--wu", default="es,nl,de")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--resume", action="store_true", help="skip the jobs <out>/jobs.tsv lists as finished (rc 0)")
    parser.add_argument("--diagnosis", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--deadline", type=float, default=540, help="seconds from start; later jobs are skipped, running ones stopped")
    parser.add_argument("overrides", nargs="*", help="added to every job (e.g. trainer=gpu logger=none)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.resume and (out / "jobs.tsv").is_file():
        DONE.update(line.split("\t")[0] for line in (out / "jobs.tsv").read_text().splitlines() if line.split("\t")[1:2] == ["0"])
        print(f"resuming: {len(DONE)} jobs already finished", flush=True)
    deadline = START + args.deadline
    common = list(args.overrides)
    methods = [m for m in args.methods.split(",") if m]
    with ThreadPoolExecutor(max_workers=args.workers) as pool:  # phase 1: the source models, in parallel
        list(pool.map(lambda job: run_job(*job, common, out, deadline), source_jobs()))
    # phase 2: method by method over all languages (a run cut at its deadline still has whole columns); a language's
    # projections start after its first one did, so they reuse its label and align stages from the cache
    langs = [lang for lang in args.langs.split(",") if lang]
    wu = [wu_jobs(lang) for lang in args.wu.split(",") if lang]
    first, later = [m for m in methods if m in FIRST], [m for m in methods if m not in FIRST]
    queue = [job for method in first for lang in langs for job in language_jobs(lang, [method])]
    queue[len(langs):len(langs)] = [job for jobs in wu for job in jobs[:1]]  # the model-transfer rows first
    queue += [job for jobs in wu for job in jobs[1:]] + (diagnosis_jobs() if args.diagnosis else [])
    queue += [job for method in later for lang in langs for job in language_jobs(lang, [method])]
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        list(pool.map(lambda job: run_job(*job, common, out, deadline), queue))
    print(f"done in {time.time() - START:.0f}s", flush=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
