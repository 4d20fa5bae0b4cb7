"""Run a Hydra multirun of `python -m xner.run` into a known folder and read back every job's results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

from benchmarks.common import ROOT

_IGNORED_PREFIXES = ("paths.", "hydra.", "logger.")


def run_sweep(overrides: list[str], sweep_dir: Path, experiment_name: str) -> float:
    """Run one multirun; returns its wall-clock seconds."""
    command = [sys.executable, "-m", "xner.run", "-m", *overrides, f"hydra.sweep.dir={sweep_dir}",
               f"logger.experiment_name={experiment_name}"]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    return time.perf_counter() - started


def collect(sweep_dir: Path) -> list[dict]:
    """One dict per job: its command-line settings (without paths/hydra/logger) and its metrics."""
    rows = []
    for metrics_path in sorted(sweep_dir.glob("*/metrics.json")):
        overrides = yaml.safe_load((metrics_path.parent / ".hydra" / "overrides.yaml").read_text())
        settings = dict(o.split("=", 1) for o in overrides if "=" in o and not o.startswith(_IGNORED_PREFIXES))
        rows.append({**settings, **json.loads(metrics_path.read_text())})
    return rows
