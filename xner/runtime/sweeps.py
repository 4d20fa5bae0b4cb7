"""Sweep bookkeeping shared by the jobs and the process that launched them: each job leaves a marker while it
runs (`<sweep dir>/.xner/running/<job>`, its pid) and, if it fails, its error line (`.xner/failed/<job>`), so
the sweep goes on past a failed job, ends FAILED naming it, exits non-zero, and on SIGTERM or Ctrl-C stops
every running job (joblib workers and their eflomal children) and marks them KILLED. A job that ends records its
seconds, date and machine (`.xner/jobs/<job>`): a study estimates what is left from them.
A job is named by its folder under the sweep dir (Hydra's job number, or a study's job id)."""

from __future__ import annotations

import json
import logging
import os
import platform
import signal
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)
FOLDER = ".xner"
CURRENT: dict[str, Path] = {}  # the launching process's sweep dir, set when the sweep starts


def job_info() -> tuple[Path, str] | None:
    """(sweep dir, job name: its folder's, by default Hydra's job number) of the current multirun job, None outside one."""
    try:
        from hydra.core.hydra_config import HydraConfig

        hydra = HydraConfig.get()
    except (ImportError, ValueError):
        return None
    if str(hydra.mode) != "RunMode.MULTIRUN":
        return None
    output = Path(str(hydra.runtime.output_dir))
    return output.parent, output.name


def _marker(sweep_dir: Path, kind: str, job: str) -> Path:
    return sweep_dir / FOLDER / kind / job


QUEUE_FILE = "queue.json"  # a study launch's deadline and each queued job's expected seconds


def set_queue(sweep_dir: Path, deadline: float | None, expected: dict[str, float]) -> None:
    """Before a launch that queues jobs: the deadline they must fit when each starts (none: every job starts)."""
    path = sweep_dir / FOLDER / QUEUE_FILE
    if deadline is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"deadline": deadline, "expected": expected}))
    os.replace(tmp, path)


def too_late(sweep_dir: Path, job: str, now: float | None = None) -> str | None:
    """Why a queued job must not start now (its expected time no longer fits the launch's deadline, because the jobs
    before it ran longer than expected), or None."""
    try:
        queue = json.loads((sweep_dir / FOLDER / QUEUE_FILE).read_text())
        deadline, expected = float(queue["deadline"]), float(queue["expected"][job])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    now = time.time() if now is None else now
    if now + expected <= deadline:
        return None
    return f"not started: expected {expected / 60:.0f} min, {max(0.0, deadline - now) / 60:.0f} min left to the deadline"


def job_started(sweep_dir: Path, job: str) -> None:
    """The running marker (pid); a failure recorded by an earlier attempt of this job is cleared."""
    path = _marker(sweep_dir, "running", job)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(os.getpid()))
    _marker(sweep_dir, "failed", job).unlink(missing_ok=True)


def _machine() -> str:
    gpu = "no GPU"
    torch = sys.modules.get("torch")
    try:
        if torch is not None and torch.cuda.is_available():
            gpu = f"{torch.cuda.device_count()} x {torch.cuda.get_device_name(0)}"
    except Exception:
        pass
    return f"{os.cpu_count()} cores, {platform.machine()}, {gpu}"


def job_ended(sweep_dir: Path, job: str, error: str | None = None, seconds: float | None = None) -> None:
    _marker(sweep_dir, "running", job).unlink(missing_ok=True)
    if error is not None:
        path = _marker(sweep_dir, "failed", job)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(error)
    if seconds is not None:
        path = _marker(sweep_dir, "jobs", job)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"seconds": round(seconds, 1), "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                  "machine": _machine(), "ok": error is None}
        path.write_text(json.dumps(record))


def write_job_record(sweep_dir: Path, job: str, record: dict) -> None:
    """Save a job's end record as it stands (a job copied in from another sweep brings its own)."""
    path = _marker(Path(sweep_dir), "jobs", job)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))


def drop_job_record(sweep_dir: Path, job: str) -> None:
    """Forget a job's end record (its job moved to another identity, which carries the record)."""
    _marker(Path(sweep_dir), "jobs", job).unlink(missing_ok=True)


def job_record(sweep_dir: Path, job: str) -> dict | None:
    """What a job recorded when it ended (seconds, finished, machine, ok), None if it never ended."""
    path = _marker(Path(sweep_dir), "jobs", job)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


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
