"""Real-process sweeps, both launchers: a failing job is recorded and the rest run; SIGTERM stops the running
jobs and their workers and marks everything KILLED; credentials never reach a file, the MLflow store or stderr."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.synthetic import write_europarl_like

pytestmark = pytest.mark.slow
LAUNCHERS = {"basic": [], "local": ["hydra/launcher=local"]}
STALLING = '''
import os, time
from xner.project.heuristic import HeuristicProjector


class StallProjector(HeuristicProjector):
    """Announces itself, then stalls inside the projection stage."""

    def project(self, *args):
        open(os.path.join(os.environ["XNER_TEST_STALLED"], str(os.getpid())), "w").close()
        time.sleep(600)
'''


@pytest.fixture
def workdir(tmp_path):
    write_europarl_like(tmp_path / "data")
    (tmp_path / "stallpkg").mkdir()
    (tmp_path / "stallpkg" / "__init__.py").write_text("")
    (tmp_path / "stallpkg" / "proj.py").write_text(textwrap.dedent(STALLING))
    (tmp_path / "stalled").mkdir()
    return tmp_path


def start(args: list[str], cwd: Path, extra: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}:{cwd}", "XNER_DATA_DIR": str(cwd / "data"), "XNER_CACHE_DIR": str(cwd / "cache"),
           "XNER_TEST_STALLED": str(cwd / "stalled"), "XNER_ALLOWED_TARGETS": "stallpkg", "HYDRA_FULL_ERROR": "0"}
    env.pop("MLFLOW_TRACKING_URI", None)
    env.update(extra or {})
    return subprocess.Popen([sys.executable, "-m", "xner.run", *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def runs(workdir: Path) -> list:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{workdir / 'mlflow.db'}")
    experiments = [e.experiment_id for e in client.search_experiments()]
    return client.search_runs(experiments)


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_a_failing_job_is_recorded_and_the_others_run(workdir, launcher):
    """es has no data in this root (a job that fails while running); de runs after it and finishes."""
    process = start(["-m", "lang=es,de", "aligner=ibm1", "logger=mlflow", *LAUNCHERS[launcher]], workdir)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 1, err
    assert "1 sweep job(s) failed" in err and "job 0:" in err and "es-europarl" in err
    assert "Traceback" not in err
    (sweep,) = workdir.glob("multirun/*/*")
    assert (sweep / "1" / "metrics.json").is_file()
    by_lang = {r.data.tags.get("xner.lang"): r for r in runs(workdir) if "mlflow.parentRunId" in r.data.tags}
    parent = next(r for r in runs(workdir) if "mlflow.parentRunId" not in r.data.tags)
    assert by_lang["es"].info.status == "FAILED" and "es-europarl" in by_lang["es"].data.tags["xner.error"]
    assert by_lang["de"].info.status == "FINISHED"
    assert parent.info.status == "FAILED" and parent.data.tags["xner.failed_jobs"] == "0"


def _wait_for(predicate, seconds: float, what: str, process: subprocess.Popen) -> None:
    deadline = time.time() + seconds
    while not predicate():
        assert process.poll() is None, process.communicate()[1]
        assert time.time() < deadline, what
        time.sleep(0.2)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped) is not running
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_sigterm_stops_the_sweep_its_jobs_and_workers_and_marks_them_killed(workdir, launcher):
    jobs = 2 if launcher == "local" else 1
    process = start(["-m", "lang=de", "aligner=ibm1", "logger=mlflow", "projector._target_=stallpkg.proj.StallProjector",
                     "projector.merge_distance=1,2", *LAUNCHERS[launcher]], workdir)
    stalled = workdir / "stalled"
    _wait_for(lambda: len(list(stalled.iterdir())) >= jobs, 240, "the jobs never reached the projection stage", process)
    workers = [int(p.name) for p in stalled.iterdir()]
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert "stopped by SIGTERM" in err and "Traceback" not in err
    deadline = time.time() + 30
    while any(_alive(pid) for pid in workers if pid != process.pid) and time.time() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in workers if pid != process.pid and _alive(pid)], "workers ran on after the sweep stopped"
    statuses = {r.info.run_id: (r.info.status, "mlflow.parentRunId" in r.data.tags) for r in runs(workdir)}
    assert [s for s, child in statuses.values() if not child] == ["KILLED"]
    children = [s for s, child in statuses.values() if child]
    assert len(children) >= jobs and set(children) == {"KILLED"}, statuses


def test_credentials_never_reach_a_file_the_store_or_the_terminal(workdir):
    """A single run, a failing run and a sweep, each with a password in a URI."""
    secret = "pa55-w0rd"
    uri = f"http://alice:{secret}@tracker.example.org/x"
    outputs = []
    for args in (["lang=de", "aligner=ibm1"], ["lang=es", "aligner=ibm1"], ["-m", "lang=de", "aligner=ibm1",
                                                                          "projector.merge_distance=1,2"]):
        process = start([*args, "logger=mlflow", f"experiment.label={uri}"], workdir)
        outputs.append(process.communicate(timeout=300))
    assert [o for o in outputs[0] if "projection/f1" in o], outputs[0]
    for out, err in outputs:
        assert secret not in out and secret not in err
    leaked = [p for p in workdir.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]
    assert not leaked, leaked
    assert any("alice:***@tracker" in r.info.run_name or "alice" in r.data.params.get("experiment.label", "")
               for r in runs(workdir))


def test_an_unreachable_tracking_server_is_one_line_with_its_password_masked(workdir):
    process = start(["lang=de", "aligner=ibm1", "logger=mlflow"], workdir,
                    {"MLFLOW_TRACKING_URI": "http://bob:hunter2@127.0.0.1:9", "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
                     "MLFLOW_HTTP_REQUEST_TIMEOUT": "3"})
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert "hunter2" not in out + err and "Traceback" not in err
    assert "xner: error: MLflow tracking store http://bob:***@127.0.0.1:9 cannot be used" in err


def test_a_queued_job_whose_turn_comes_too_late_does_not_start(workdir):
    """A study launch queues jobs with the deadline; one whose expected time no longer fits when its turn comes is left
    (no folder results, no record, no failure) for the next chunk, and says so in one line."""
    from xner.runtime import sweeps

    sweep = workdir / "sweep"
    sweeps.set_queue(sweep, time.time() + 60, {"0": 3600.0, "1": 5.0})
    assert sweeps.too_late(sweep, "0").startswith("not started: expected 60 min, 1 min left")
    assert sweeps.too_late(sweep, "1") is None and sweeps.too_late(sweep, "other") is None  # fits; not queued
    assert sweeps.too_late(sweep, "1", now=time.time() + 3600) is not None
    process = start(["-m", "lang=de", "aligner=ibm1", f"hydra.sweep.dir={sweep}"], workdir)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert "xner: job 0: not started: expected 60 min" in err and "Traceback" not in err
    assert not (sweep / "0" / "metrics.json").exists() and sweeps.job_record(sweep, "0") is None
    assert not list((sweep / ".xner").glob("failed/*")) and not list((sweep / ".xner").glob("running/*"))
    sweeps.set_queue(sweep, None, {})  # a launch without a deadline: every job starts
    assert not (sweep / ".xner" / sweeps.QUEUE_FILE).exists() and sweeps.too_late(sweep, "0") is None
