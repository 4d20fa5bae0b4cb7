"""Layer 8, entry: `python -m xner.run [experiment=...] lang=...`, a thin Hydra main over `run(cfg)`."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf

from xner.errors import Interrupted, XnerError, report
from xner.experiments import EXPERIMENTS, checks, schemas
from xner.runtime.preflight import check_command_line, experiment_validator
from xner.runtime import sweeps
from xner.runtime.session import open_run
from xner.runtime.tracking import close_interrupted_sweep, mask_credentials
from xner.stages.start import resolve_start

log = logging.getLogger(__name__)
CONF_DIR = str(Path(__file__).resolve().parents[1] / "conf")  # absolute: the same from `python -m` and in-process


def headline(cfg: DictConfig, metrics: dict[str, float]) -> tuple[str, float | None]:
    """The run's headline metric and value: `experiment.headline_metric`, read under the scored split's name when the
    target is scored on another split than test (data.target.split=dev: test/f1 is target_dev/f1)."""
    name = str(cfg.experiment.headline_metric)
    split = str(OmegaConf.select(cfg, "data.target.split", default=None) or "test")
    if name not in metrics and name.startswith("test/") and split != "test":
        name = f"target_{split}/" + name.removeprefix("test/")
    return name, metrics.get(name)


def run(cfg: DictConfig) -> dict[str, float]:
    """Run the experiment `cfg` describes; returns its metrics (also logged to MLflow and saved as metrics.json)."""
    with open_run(cfg, checks(), schemas()) as ctx:
        resolve_start(ctx)  # model.init_from=ranked -> the language it names for this target
        metrics = EXPERIMENTS[cfg.experiment.pipeline].run(ctx)
    name, value = headline(cfg, metrics)
    log.info("%s = %.4f", name, value if value is not None else float("nan"))
    return metrics


def _error_line(error: BaseException) -> str:
    """An error as the one line the user sees, credentials masked (a bug's traceback goes to the run log)."""
    if isinstance(error, XnerError):
        return mask_credentials(str(error))
    log.error("unexpected error (a bug; please report it with this log)", exc_info=error)
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return mask_credentials(f"{type(error).__name__}: {first}" if first else type(error).__name__)


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="config")
def hydra_main(cfg: DictConfig) -> float | None:
    job = sweeps.job_info()  # (sweep dir, job name) in a multirun: a failed job is recorded, the sweep goes on
    if job is not None:
        late = sweeps.too_late(*job)  # a study's queued job whose turn came too near the deadline: left for later
        if late:
            print(f"xner: job {job[1]}: {late}", file=sys.stderr)
            return None
        sweeps.job_started(*job)
    error_line, started, finished = None, time.monotonic(), False
    try:
        metrics = run(cfg)
        finished = True
    except (Interrupted, KeyboardInterrupt) as interrupt:  # SIGTERM, or Ctrl-C (SIGINT)
        signum = getattr(interrupt, "signum", signal.SIGINT)
        print(f"xner: stopped by {signal.Signals(signum).name}", file=sys.stderr)
        raise SystemExit(128 + signum) from None
    except Exception as error:
        error_line = _error_line(error)
        if job is None:
            print(f"xner: error: {error_line}", file=sys.stderr)
            raise SystemExit(1) from None
        print(f"xner: error: job {job[1]}: {error_line}", file=sys.stderr)
        return None
    finally:
        if job is not None:
            ended = finished or error_line is not None  # (not when interrupted)
            sweeps.job_ended(*job, error_line, time.monotonic() - started if ended else None)
    name, value = headline(cfg, metrics)
    print(mask_credentials(f"{cfg.experiment.name} {cfg.experiment.label}: {name} = {value:.4f}" if value is not None
                           else str(metrics)))
    return value


def _interrupt(signum, frame):
    raise Interrupted(signum)


def main() -> float | None:
    """The command: the config Hydra will compose is vetted (targets, every option) before Hydra builds its
    callbacks, logging and run folder; then Hydra runs. A sweep goes on past failed jobs and exits 1 naming them;
    SIGTERM or Ctrl-C stops its running jobs and marks them and the sweep KILLED."""
    try:
        check_command_line(sys.argv[1:], hydra_main.__wrapped__, CONF_DIR, "config", experiment_validator(checks(), schemas()))
    except XnerError as error:
        raise SystemExit(report(error)) from None
    sweeps.CURRENT.clear()
    previous = signal.signal(signal.SIGTERM, _interrupt) if threading.current_thread() is threading.main_thread() else None
    try:
        value = hydra_main()
    except (Interrupted, KeyboardInterrupt, SystemExit) as stop:
        signum = getattr(stop, "signum", None) or (signal.SIGINT if isinstance(stop, KeyboardInterrupt) else None)
        if signum is None and isinstance(stop, SystemExit) and isinstance(stop.code, int) and stop.code > 128:
            signum = stop.code - 128
        if signum is None or "dir" not in sweeps.CURRENT:
            if signum is not None and not isinstance(stop, SystemExit):
                raise SystemExit(128 + signum) from None
            raise
        close_interrupted_sweep(signum)
        print(f"xner: sweep {sweeps.CURRENT['dir']} stopped by {signal.Signals(signum).name}", file=sys.stderr)
        raise SystemExit(128 + signum) from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    sweep_dir = sweeps.CURRENT.get("dir")
    failed = sweeps.failed_jobs(sweep_dir) if sweep_dir else {}
    if failed:
        print(f"xner: error: {len(failed)} sweep job(s) failed ({sweep_dir}): {sweeps.failure_summary(failed)}",
              file=sys.stderr)
        raise SystemExit(1)
    return value


if __name__ == "__main__":
    main()
