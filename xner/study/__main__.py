"""`python -m xner.study run|status|report|rekey|retire NAME`: a research question as one study (`conf/study/NAME.yaml`).

  run NAME [--deadline 80m] [--only lang=swa] [--retry-failed] [--parallel N|auto] [--time-scale F] [override ...]
      every unfinished job of the grid, through Hydra's launcher (hydra/launcher=local: joblib; =slurm: submitit);
      a job is its resolved config, so finished jobs are never rerun and an interrupted study resumes; with a
      deadline no job starts that its expected time (recorded times of the same method, else the study's
      budget, plus the source models it would train first) does not fit; --time-scale 0.1 takes a tenth of the
      budget's CPU minutes (on a GPU machine)
  status NAME [--only ...] [--time-scale F] [override ...]   done, failed, remaining and the time left per launcher
  report NAME [--out docs/results]         the study's page with intervals, from the finished jobs of today's
      configs (a job whose grid point now composes another config is superseded first, as `run` would)
  rekey NAME --accept PREFIX[,PREFIX] [--dry-run]
      finished jobs whose identity changed only because options were added since they ran (under the accepted
      prefixes, which you vouch leave what a job computes unchanged) move to their new identity; jobs whose
      identity changed otherwise are superseded when the study next runs: kept, left out of the report, rerun
  retire NAME [--only ...] --why TEXT [--dry-run]
      finished jobs whose results came from code since fixed (same config, same id) move to .retired/ here and in
      every study that holds them, so the next run computes them again
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shlex
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from xner.errors import ConfigError, XnerError, report
from xner.study.plan import (StudyDir, cached_sources, composer, describe_seconds, estimates, parallelism, plan_jobs,
                             point_key, recorded_sources, stage_cache, timed_sources)
from xner.study.spec import load, parse_only

log = logging.getLogger("xner.study")
CONF_DIR = str(Path(__file__).resolve().parents[2] / "conf")
DEFAULT_ROOT = os.environ.get("XNER_STUDIES_DIR", "multirun/studies")
LAUNCHER_KEYS = ("hydra.", "hydra/", "+hydra.", "++hydra.")


def parse_duration(text: str) -> float:
    """'80m', '2h', '1h30m', '45s', or minutes as a bare number -> seconds."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text) * 60
    parts = re.findall(r"(\d+(?:\.\d+)?)([hms])", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ConfigError(f"--deadline {text}: expected a duration such as 80m, 2h, 1h30m or 45s")
    return sum(float(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in parts)


def split_overrides(overrides: list[str]) -> tuple[list[str], list[str]]:
    """(launcher and other hydra.* overrides, overrides every job gets)."""
    hydra = [o for o in overrides if o.startswith(LAUNCHER_KEYS)]
    return hydra, [o for o in overrides if o not in hydra]


def _validator():
    from xner.experiments import checks, schemas
    from xner.runtime.preflight import experiment_validator

    return experiment_validator(checks(), schemas())


def _plan(args, study, validate=True):
    hydra, extras = split_overrides(args.overrides)
    points = study.points(parse_only(args.only))
    if not points:
        raise ConfigError(f"study {study.name}: --only leaves no job")
    folder = StudyDir(args.root, study.name)
    jobs = plan_jobs(study, points, extras, CONF_DIR, _validator() if validate else None, log.info)
    return folder, jobs, hydra, extras


def _counts(folder: StudyDir, jobs) -> tuple[list, list, list, list]:
    failed, running = folder.failed(), folder.running()
    done = [j for j in jobs if folder.is_done(j.id)]
    bad = [j for j in jobs if j.id in failed and j not in done]
    live = [j for j in jobs if j.id in running and j not in done]
    todo = [j for j in jobs if j not in done and j not in bad and j not in live]
    return done, bad, live, todo


def launcher_options(hydra_overrides: list[str]) -> dict:
    """The launcher these overrides select, composed (n_jobs / array_parallelism)."""
    from omegaconf import OmegaConf

    cfg = composer(CONF_DIR)([o for o in hydra_overrides if o.startswith(("hydra/launcher", "hydra.launcher"))])
    node = OmegaConf.select(cfg, "hydra.launcher")
    return OmegaConf.to_container(node, resolve=False) if node is not None else {}


def status(args) -> int:
    study = load(args.name, CONF_DIR).scaled(args.time_scale)
    folder, jobs, hydra, extras = _plan(args, study, validate=False)
    done, bad, live, todo = _counts(folder, jobs)
    print(f"study {study.name}: {study.question}")
    print(f"  {len(jobs)} jobs: {len(done)} done, {len(bad)} failed, {len(live)} running, {len(todo)} remaining  ({folder.path})")
    current = {point_key(job): job.id for job in jobs}
    older = [ident for ident, key in folder.planned_keys().items()
             if current.get(key, ident) != ident and folder.is_done(ident)]
    if older:
        print(f"  {len(older)} finished job(s) at these grid points ran under another config (an option or default changed "
              "since): `rekey NAME --accept OPTION` keeps those the change leaves the same; the rest run again")
    errors = folder.failed()
    for job in bad:
        print(f"  failed {job.id} ({', '.join(f'{k}={v}' for k, v in job.point.items())}): {errors[job.id]}")
    for job in live:
        print(f"  running {job.id} ({', '.join(f'{k}={v}' for k, v in job.point.items())})")
    others = folder.others()
    elsewhere = {job.id: other.name for job in todo if (other := folder.elsewhere(job.id, others)) is not None}
    if elsewhere:
        print(f"  {len(elsewhere)} of the remaining finished in another study ({', '.join(sorted(set(elsewhere.values())))}):"
              " taken over when the study runs, not rerun")
        todo = [job for job in todo if job.id not in elsewhere]
    # only what the stage cache the jobs would read holds, not a finished job's sources: its cache may be elsewhere, or gone
    trained = cached_sources(stage_cache(composer(CONF_DIR)(extras)))
    untrained = sorted({source for job in todo for source in job.sources} - trained)
    todo = timed_sources(todo, recorded_sources(folder))
    expected = estimates(todo + bad, folder)
    seconds = [expected[j.id] for j in todo]
    if seconds:
        sources = {s: next(j.source_minutes.get(s, 0.0) for j in todo if s in j.sources) * 60 for s in untrained}
        total = sum(seconds) + sum(sources.values())
        timed = [s for s in sources if sources[s]]
        unknown = [s for s in sources if not sources[s]]
        print(f"  remaining, expected: {describe_seconds(total)} sequentially (the basic launcher)"
              + (f", of which {describe_seconds(sum(sources.values()))} trains {len(timed)} source model(s) not in "
                 f"the stage cache ({', '.join(timed)})" if timed else "")
              + (f"; not counted: training {', '.join(unknown)} (not in the stage cache; the study's budget names no "
                 f"source_minutes for them)" if unknown else ""))
        for name, n in (("hydra/launcher=local", parallelism(launcher_options(["hydra/launcher=local"]))),
                        ("hydra/launcher=slurm", parallelism(launcher_options(["hydra/launcher=slurm"])))):
            print(f"    {name} ({n} at a time): about {describe_seconds(max(total / n, max(seconds)))}")
        recorded = {j.method for j in done if folder.record(j.id).get("ok")}
        guessed = sorted({j.method for j in todo if j.method not in recorded})
        if guessed:
            print(f"    (no finished job yet for {', '.join(guessed)}: the study's budget estimate is used)")
    by_method: dict[str, list[float]] = {}
    for job in done:
        if (secs := folder.seconds(job.id)) is not None:
            by_method.setdefault(job.method, []).append(secs)
    for method, values in sorted(by_method.items()):
        print(f"  {method}: {len(values)} finished, median {describe_seconds(statistics.median(values))} a job")
    return 0


DEFAULT_JOB_MB = {"rss": 6000.0, "gpu": 6000.0}  # per job until a finished job has recorded its peaks


def machine_slots(folder: StudyDir, extras: list[str]) -> tuple[int, str]:
    """--parallel auto: how many jobs this machine holds at once (xner.study.plan.slots), from its cores, RAM and
    GPU memory and the peaks this study's finished jobs recorded."""
    from xner.study.plan import job_peaks, slots

    threads = next((int(e.split("=", 1)[1]) for e in extras if re.fullmatch(r"threads=\d+", e)), 1)
    try:
        ram_mb = int(Path("/proc/meminfo").read_text().split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        ram_mb = 8192.0
    gpu_mb = None
    try:
        import torch

        if torch.cuda.is_available():
            gpu_mb = torch.cuda.get_device_properties(0).total_memory / 2**20
    except ImportError:
        pass
    rss, gpu = job_peaks(folder)
    return slots(os.cpu_count() or 1, ram_mb, gpu_mb, rss or DEFAULT_JOB_MB["rss"], gpu or DEFAULT_JOB_MB["gpu"], threads)


def parallel_overrides(value: str, folder: StudyDir, hydra: list[str], extras: list[str]) -> tuple[list[str], list[str]]:
    """(hydra, extras) with the local launcher running N jobs (and, for several, one torch thread each unless given)."""
    if value == "auto":
        count, why = machine_slots(folder, extras)
        print(f"--parallel auto: {why}", flush=True)
    elif value.isdigit() and int(value) > 0:
        count = int(value)
    else:
        raise ConfigError(f"--parallel {value}: expected a number of jobs or auto")
    hydra = [h for h in hydra if not h.startswith(("hydra/launcher=", "hydra.launcher.n_jobs="))]
    hydra += ["hydra/launcher=local", f"hydra.launcher.n_jobs={count}"]
    if count > 1 and not any(e.startswith("threads=") for e in extras):
        extras = [*extras, "threads=1"]
    return hydra, extras


def run(args) -> int:
    from xner import run as entry

    study = load(args.name, CONF_DIR).scaled(args.time_scale)
    deadline = time.time() + parse_duration(args.deadline) if args.deadline else None
    folder, jobs, hydra, extras = _plan(args, study)
    if args.parallel:
        hydra, extras = parallel_overrides(args.parallel, folder, hydra, extras)
        jobs = [replace(job, extras=list(extras)) for job in jobs]
    plan_path = folder.save_plan(study, jobs)
    adopted = folder.adopt([j.id for j in jobs])
    if adopted:
        sources = sorted(set(adopted.values()))
        print(f"study {study.name}: {len(adopted)} finished job(s) with the same resolved config copied in from "
              f"{', '.join(sources)}", flush=True)
    done, bad, live, todo = _counts(folder, jobs)
    if live:
        raise ConfigError(f"study {study.name}: jobs {', '.join(j.id for j in live)} are running (another chunk?) in "
                          f"{folder.path}; wait for it or stop it first")
    runnable = todo + (bad if args.retry_failed else [])
    print(f"study {study.name}: {len(jobs)} jobs, {len(done)} done, {len(bad)} failed, {len(runnable)} to run; "
          f"outputs in {folder.path}", flush=True)
    if not runnable:
        print(f"study {study.name}: nothing to run" + (" (failed jobs: --retry-failed runs them)" if bad else ""))
        return 1 if bad else 0
    argv = ["-m", "hydra/sweeper=xner_study", f"hydra.sweeper.plan='{plan_path.resolve()}'",
            f"hydra.sweeper.deadline={deadline if deadline is not None else 'null'}",
            f"hydra.sweeper.retry_failed={'true' if args.retry_failed else 'false'}",
            f"hydra.sweep.dir='{folder.path.resolve()}'", *hydra, *runnable[0].overrides, *runnable[0].extras]
    command = shlex.join(["python", "-m", "xner.study", "run", study.name, *args.argv])
    started = time.time()
    folder.log_chunk({"event": "start", "time": started, "command": command, "planned": len(jobs), "done": len(done)})
    saved_argv = sys.argv
    sys.argv = ["xner.run", *argv]
    code = 0
    try:
        entry.main()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    finally:
        sys.argv = saved_argv
        now_done = sum(folder.is_done(j.id) for j in jobs)
        folder.log_chunk({"event": "end", "time": time.time(), "command": command, "rc": code, "done": now_done,
                          "ran_seconds": round(time.time() - started)})
    left = len(jobs) - now_done
    print(f"study {study.name}: {now_done}/{len(jobs)} jobs done" + (f", {left} left: rerun the same command to go on"
                                                                      if left else "") +
          f"; report: python -m xner.study report {study.name}")
    return code


def report_command(args) -> int:
    from xner.study.report import write_report

    study = load(args.name, CONF_DIR)
    folder = StudyDir(args.root, study.name)
    if folder.load_plan():  # today's identities first: a finished job whose config has changed since is left out
        jobs = plan_jobs(study, study.points(), [], CONF_DIR, None, log.info)
        if moved := folder.supersede(jobs):
            print(f"study {study.name}: {moved} finished or planned job(s) ran under a config that has changed since "
                  "(an option or default): superseded, left out of the report")
    page = write_report(study, folder, Path(args.out))
    print(f"wrote {page}")
    return 0


def rekey_command(args) -> int:
    study = load(args.name, CONF_DIR)
    folder, jobs, _, _ = _plan(args, study, validate=False)
    accept = [a.strip() for a in ",".join(args.accept).split(",") if a.strip()]
    if not accept:
        raise ConfigError("rekey --accept: name the option prefixes added since the jobs ran, e.g. --accept model.init_from")
    moved, kept = folder.rekey(jobs, composer(CONF_DIR), accept, dry_run=args.dry_run)
    for line in moved:
        print(("would move " if args.dry_run else "moved ") + line)
    for line in kept:
        print("kept " + line)
    print(f"study {study.name}: {len(moved)} job(s) {'to move' if args.dry_run else 'moved'}, {len(kept)} kept")
    return 0


def retire_command(args) -> int:
    study = load(args.name, CONF_DIR)
    folder, jobs, _, _ = _plan(args, study, validate=False)
    if not args.why.strip():
        raise ConfigError("retire --why: say what changed (e.g. 'split_words kept combining marks apart, fixed in abc123')")
    lines = folder.retire(jobs, args.why.strip(), dry_run=args.dry_run)
    for line in lines:
        print(("would retire " if args.dry_run else "retired ") + line)
    print(f"study {study.name}: {len(lines)} finished job(s) {'to retire' if args.dry_run else 'retired'}"
          + ("" if args.dry_run or not lines else "; the next run computes them again"))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m xner.study", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog="\n".join(__doc__.splitlines()[1:]))
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "status", "report", "rekey", "retire"):
        sub = commands.add_parser(name)
        sub.add_argument("name", help="a study in conf/study/ (or a study YAML file)")
        sub.add_argument("--root", default=DEFAULT_ROOT, help=f"where studies keep their jobs (default {DEFAULT_ROOT}; "
                                                              "$XNER_STUDIES_DIR)")
        if name in ("run", "status", "rekey", "retire"):
            sub.add_argument("--only", action="append", default=[], metavar="KEY=V[,V]", help="only these grid values")
            sub.add_argument("overrides", nargs="*", help="launcher overrides (hydra/launcher=local) and overrides for every job")
        if name in ("run", "status"):
            sub.add_argument("--time-scale", type=float, default=1.0, metavar="F",
                             help="multiply the study's budget minutes (CPU minutes) by F, e.g. 0.1 on a GPU machine; "
                                  "times recorded by finished jobs are used as they are")
        if name == "retire":
            sub.add_argument("--why", required=True, help="what changed since they ran (kept with each retired job)")
            sub.add_argument("--dry-run", action="store_true", help="say what would be retired, move nothing")
        if name == "rekey":
            sub.add_argument("--accept", action="append", default=[], metavar="PREFIX[,PREFIX]",
                             help="option prefixes added since the jobs ran that do not change what they compute")
            sub.add_argument("--dry-run", action="store_true", help="say what would move, move nothing")
        if name == "run":
            sub.add_argument("--deadline", help="start no job that would end after this (80m, 2h, 1h30m)")
            sub.add_argument("--retry-failed", action="store_true", help="run failed jobs again")
            sub.add_argument("--parallel", metavar="N|auto", help="run N jobs at a time (hydra/launcher=local); auto: as "
                             "many as this machine's cores, RAM and GPU memory hold at the jobs' recorded peaks")
        if name == "report":
            sub.add_argument("--out", default="docs/results", help="folder of the page (default docs/results)")
    args, unknown = parser.parse_known_args(argv)  # overrides may follow options: `run NAME --deadline 80m a=b`
    flags = [u for u in unknown if u.startswith("-")]
    if flags or (unknown and not hasattr(args, "overrides")):
        parser.error(f"unrecognized arguments: {' '.join(flags or unknown)}")
    if unknown:
        args.overrides = [*args.overrides, *unknown]
    args.argv = argv[2:]  # (the chunk log's command)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        return {"run": run, "status": status, "report": report_command, "rekey": rekey_command,
                "retire": retire_command}[args.command](args)
    except XnerError as error:
        return report(error)


if __name__ == "__main__":
    sys.exit(main())
