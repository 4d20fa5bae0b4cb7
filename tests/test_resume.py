"""A run killed (SIGKILL) in the middle of a stage resumes from its last finished stage and ends with
exactly the results of a run that was never interrupted; the same config and seed give the same
projected data and metrics."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.synthetic import write_europarl_like

pytestmark = pytest.mark.slow

ARGS = ["experiment=europarl_intrinsic", "lang=de", "aligner=ibm1", "logger=none"]
# Runs xner.run with the projector stalled inside its stage, after announcing it in $XNER_TEST_STALLED.
STALLING_RUN = """
import os, runpy, sys, time
from xner.project.heuristic import HeuristicProjector
project = HeuristicProjector.project
def stalled(self, *args):
    open(os.environ["XNER_TEST_STALLED"], "w").close()
    time.sleep(600)
HeuristicProjector.project = stalled
sys.argv = ["xner.run", *sys.argv[1:]]
runpy.run_module("xner.run", run_name="__main__", alter_sys=True)
"""


def start(args: list[str], cwd: Path, cache: Path, code: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XNER_DATA_DIR": str(cwd / "data"), "XNER_CACHE_DIR": str(cache),
           "XNER_TEST_STALLED": str(cwd / "stalled")}
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "xner.run", *args]
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return out + err


def results(cwd: Path, cache: Path) -> tuple[dict, bytes]:
    """Metrics of the newest run (stage timings and cache flags aside) and the projected artifact."""
    metrics_file = max(cwd.glob("outputs/*/*/metrics.json"), key=lambda p: p.stat().st_mtime)
    metrics = {k: v for k, v in json.loads(metrics_file.read_text()).items() if not k.startswith("stage/")}
    (projected,) = (cache / "project").glob("*.conll")
    return metrics, projected.read_bytes()


@pytest.fixture
def workdir(tmp_path):
    write_europarl_like(tmp_path / "data")
    return tmp_path


def test_killed_mid_stage_resumes_from_the_last_finished_stage_with_identical_results(workdir):
    cache = workdir / "cache"
    stalled = start([*ARGS, f"paths.cache_dir={cache}"], workdir, cache, STALLING_RUN)
    deadline = time.time() + 240
    while not (workdir / "stalled").exists():
        assert stalled.poll() is None, stalled.communicate()[1]
        assert time.time() < deadline, "the run never reached the projection stage"
        time.sleep(0.2)
    stalled.send_signal(signal.SIGKILL)
    stalled.wait()
    finished = {p.parent.name for p in cache.glob("*/*.meta.json")}
    assert finished == {"translate", "align"}, "the killed stage must leave no finished entry"
    assert not list((cache / "project").glob("*.conll")) if (cache / "project").exists() else True

    log = finish(start([*ARGS, f"paths.cache_dir={cache}"], workdir, cache))
    assert "stage translate: cache hit" in log and "stage align: cache hit" in log
    assert "stage project: computing" in log
    resumed = results(workdir, cache)

    fresh_cache = workdir / "fresh-cache"
    finish(start([*ARGS, f"paths.cache_dir={fresh_cache}"], workdir, fresh_cache))
    fresh = results(workdir, fresh_cache)
    assert resumed[0] == fresh[0] and resumed[0]["projection/f1"] > 0.5
    assert resumed[1] == fresh[1], "resumed and uninterrupted runs projected different data"
