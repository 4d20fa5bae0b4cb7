"""What the study sweeper does inside `python -m xner.run -m hydra/sweeper=xner_study`: launch the plan's
unfinished jobs, each into `<study dir>/<job id>/`, one at a time for the basic launcher, else as a queue the launcher
runs n_jobs at a time (joblib), holding the jobs expected to end before the deadline; a queued job whose turn comes
too late for its expected time does not start (it is left for the next chunk)."""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from omegaconf import DictConfig, OmegaConf

from xner.errors import ConfigError
from xner.runtime import sweeps
from xner.study.plan import (PLAN_FILE, Job, StudyDir, cached_sources, describe_seconds, estimates, parallelism,
                             recorded_sources, stage_cache, timed_sources, warm_first, with_sources)

log = logging.getLogger("xner.study")
LEFT_FILE = "left.json"  # what the last chunk did not start, and why (read by `status`)


def pick(todo: list[Job], expected: dict[str, float], size: int, remaining: float) -> list[Job]:
    """Up to `size` jobs, in plan order, each expected to finish within `remaining` seconds."""
    batch = []
    for job in todo:
        if expected[job.id] <= remaining:
            batch.append(job)
            if len(batch) == size:
                break
    return batch


def queue(todo: list[Job], expected: dict[str, float], size: int, remaining: float, trained: set[str] = frozenset()) -> list[Job]:
    """Jobs for one launch that runs `size` at a time, each starting as a slot frees (a job of 10 min beside one of
    40 no longer leaves a slot idle for 30): in plan order, each whose simulated end on the earliest free slot fits
    `remaining`, and no job that needs a source model another queued job trains (it would wait on that model's lock
    holding a slot; it goes in the next launch, which has the model; `trained`: models there already). At least what
    `pick` takes."""
    slots, chosen, training = [0.0] * max(1, size), [], set()
    for job in todo:
        start, untrained = min(slots), set(job.sources) - set(trained)
        if untrained & training or start + expected[job.id] > remaining:
            continue
        slots[slots.index(start)] = start + expected[job.id]
        chosen.append(job)
        training |= untrained
    return chosen or pick(todo, expected, size, remaining)


def run_plan(config: DictConfig, launcher: Any, plan_path: str | None, deadline: float | None, retry_failed: bool,
             arguments: Sequence[str]) -> list:
    if not plan_path:
        raise ConfigError("hydra/sweeper=xner_study runs a study's plan: start it with `python -m xner.study run NAME`")
    # `arguments`: the first job's overrides, which `xner.study run` gives so that the sweep's own config (its MLflow
    # parent run, its logger) is a job's; every job brings its own
    sweep_dir = Path(str(config.hydra.sweep.dir))
    folder = StudyDir(sweep_dir.parent, sweep_dir.name)
    if Path(plan_path).resolve() != (sweep_dir / PLAN_FILE).resolve():
        raise ConfigError(f"hydra.sweeper.plan={plan_path}: a study's plan is {sweep_dir / PLAN_FILE} (hydra.sweep.dir)")
    sweep_dir.mkdir(parents=True, exist_ok=True)
    OmegaConf.save(config, sweep_dir / "multirun.yaml")
    planned = folder.load_plan()
    jobs = [planned[ident] for ident in folder.current()]
    failed = folder.failed()
    todo = [job for job in jobs if not folder.is_done(job.id) and (retry_failed or job.id not in failed)]
    size = parallelism(config.hydra.get("launcher"))
    log.info("study %s: %d jobs, %d finished, %d failed earlier%s, %d to run (%d at a time); outputs in %s",
             sweep_dir.name, len(jobs), sum(folder.is_done(j.id) for j in jobs), len(failed),
             " (tried again)" if retry_failed and failed else " (skipped: --retry-failed runs them)" if failed else "",
             len(todo), size, sweep_dir)
    returns, index, started, left_over = [], 0, time.time(), []
    # only what the stage cache holds: a finished job's source model may have been trained on another machine, or lost
    trained = cached_sources(stage_cache(config))
    todo = timed_sources(todo, recorded_sources(folder))  # a teacher's measured time, where one was measured
    todo = warm_first([replace(job, sources=[s for s in job.sources if s not in trained]) for job in todo], size)
    expected = with_sources(todo, estimates(todo, folder), trained)
    while todo:
        remaining = deadline - time.time() if deadline is not None else math.inf
        batch = pick(todo, expected, size, remaining) if size <= 1 else queue(todo, expected, size, remaining, trained)
        if not batch:
            break
        for number, job in enumerate(batch):
            todo.remove(job)
            log.info("study %s: job %s (%s) %s, expected %s%s", sweep_dir.name, job.id, ", ".join(
                f"{k}={v}" for k, v in job.point.items()), "starting" if number < size else "queued",
                describe_seconds(expected[job.id]),
                f", {describe_seconds(remaining)} to the deadline" if deadline is not None else "")
        sweeps.set_queue(sweep_dir, deadline if len(batch) > size else None, {job.id: expected[job.id] for job in batch})
        results = launcher.launch([[*job.overrides, *job.extras, f"hydra.sweep.subdir={job.id}"] for job in batch],
                                  initial_job_idx=index)
        index += len(batch)
        returns.append(results)
        failed_now = folder.failed()
        unstarted = [job for job in batch if not folder.is_done(job.id) and job.id not in failed_now
                     and not folder.record(job.id)]  # queued, then too late to start: left for the next chunk
        if unstarted:
            left_over += unstarted
            break
        trained |= {source for job in batch for source in job.sources}  # tried: a failed one is not counted twice
        expected.update(with_sources(todo, estimates(todo, folder), trained))  # recorded times sharpen the estimates
    sweeps.set_queue(sweep_dir, None, {})
    todo = left_over + todo
    left = [{"id": job.id, "point": job.point, "expected_seconds": round(expected[job.id])} for job in todo]
    (sweep_dir / LEFT_FILE).write_text(json.dumps({"deadline": deadline, "left": left}, indent=1))
    if todo:
        log.warning("study %s: deadline: %d job(s) not started (expected %s in all, %s left): %s", sweep_dir.name,
                    len(todo), describe_seconds(sum(expected[j.id] for j in todo)),
                    describe_seconds(max(0.0, (deadline or 0) - time.time())),
                    "; ".join(", ".join(f"{k}={v}" for k, v in j.point.items()) for j in todo[:8])
                    + (" ..." if len(todo) > 8 else ""))
    log.info("study %s: this chunk ran %d job(s) in %s", sweep_dir.name, index, describe_seconds(time.time() - started))
    return returns
