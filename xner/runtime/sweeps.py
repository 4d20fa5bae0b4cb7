"""Sweep bookkeeping shared by the jobs and the process that launched them: each job leaves a marker while it
runs (`<sweep dir>/.xner/running/<job>`, its pid) and, if it fails, its error line (`.xner/failed/<job>`), so
the sweep goes on past a failed job, ends FAILED naming it, exits non-zero, and on SIGTERM or Ctrl-C stops
every running job (joblib workers and their eflomal children) and marks them KILLED."""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path

log = logging.getLogger(__name__)
FOLDER = ".xner"
CURRENT: dict[str, Path] = {}  # the launching process's sweep dir, set when the sweep starts


def job_info() -> tuple[Path, str] | None:
    """(sweep dir, job number) of the current Hydra multirun job, None outside one."""
    try:
        from hydra.core.hydra_config import HydraConfig

        hydra = HydraConfig.get()
    except (ImportError, ValueError):
        return None
    if str(hydra.mode) != "RunMode.MULTIRUN":
        return None
    return Path(str(hydra.runtime.output_dir)).parent, str(hydra.job.num)


def _marker(sweep_dir: Path, kind: str, job: str) -> Path:
    return sweep_dir / FOLDER / kind / job


def job_started(sweep_dir: Path, job: str) -> None:
    path = _marker(sweep_dir, "running", job)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(os.getpid()))


def job_ended(sweep_dir: Path, job: str, error: str | None = None) -> None:
    _marker(sweep_dir, "running", job).unlink(missing_ok=True)
    if error is not None:
        path = _marker(sweep_dir, "failed", job)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(error)


def failed_jobs(sweep_dir: Path) -> dict[str, str]:
    """Job number -> error line of the sweep's failed jobs."""
    folder = sweep_dir / FOLDER / "failed"
    if not folder.is_dir():
        return {}
    return {p.name: p.read_text().strip() for p in sorted(folder.iterdir(), key=lambda p: int(p.name) if p.name.isdigit() else 0)}


def running_jobs(sweep_dir: Path) -> dict[str, int]:
    folder = sweep_dir / FOLDER / "running"
    found = {}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        try:
            found[path.name] = int(path.read_text().strip())
        except ValueError:
            continue
    return found


def failure_summary(failed: dict[str, str]) -> str:
    return "; ".join(f"job {job}: {line}" for job, line in failed.items())


def stop_jobs(sweep_dir: Path, signum: int, grace: float = 20.0) -> list[str]:
    """SIGTERM every running job's process other than this one (its own handler closes its run as KILLED and
    stops its children), shut joblib's worker pool down, and wait up to `grace` seconds for them to finish."""
    me = os.getpid()
    running = running_jobs(sweep_dir)
    for job, pid in running.items():
        if pid != me:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(pid != me for pid in running_jobs(sweep_dir).values()):
        time.sleep(0.2)
    try:
        from joblib.externals.loky import reusable_executor

        executor = getattr(reusable_executor, "_executor", None)
        if executor is not None:
            executor.shutdown(wait=False, kill_workers=True)
    except Exception:  # joblib absent
        pass
    return list(running)
