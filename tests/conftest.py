"""Shared fixtures: a synthetic data root and Hydra-composed configs pointing at temporary folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

import xner.pipeline.runner  # noqa: F401  (registers the ${xner.root:} resolver)
from tests.synthetic import write_europarl_like

ROOT = Path(__file__).resolve().parents[1]
CONF_DIR = ROOT / "conf"
SHARED_DATA = Path(os.environ.get("XNER_DATA_DIR", ROOT.parent / "shared" / "data"))


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    return write_europarl_like(tmp_path / "data")


@pytest.fixture
def compose_cfg(tmp_path: Path, data_root: Path, monkeypatch):
    """compose_cfg(*overrides) -> DictConfig with data, cache and MLflow store under tmp_path only."""
    monkeypatch.delenv("XNER_DATA_DIR", raising=False)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("XNER_CACHE_DIR", str(tmp_path / "xner-cache"))

    def _compose(*overrides: str, logger: str = "none") -> DictConfig:
        base = [f"paths.data_dir={data_root}", f"paths.cache_dir={tmp_path / 'cache'}", f"paths.root_dir={tmp_path}",
                f"logger={logger}", f"logger.tracking_uri=sqlite:///{tmp_path / 'mlflow.db'}"]
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            return compose(config_name="config", overrides=base + list(overrides))

    return _compose


def run_cli(args: list[str], cwd: Path, env_extra: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """`python -m xner.run ARGS` in `cwd` (its mlflow.db, outputs and multirun land there)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HYDRA_FULL_ERROR": "0", **(env_extra or {})}
    env.pop("MLFLOW_TRACKING_URI", None)
    return subprocess.run([sys.executable, "-m", "xner.run", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
