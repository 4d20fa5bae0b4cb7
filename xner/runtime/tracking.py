"""MLflow tracking: one run per Hydra job, nested under one parent run per multirun sweep.

The store defaults to `sqlite:///<launch dir>/mlflow.db`; `MLFLOW_TRACKING_URI` or
`logger.tracking_uri` override it. A Hydra callback opens the sweep's parent run before the jobs
start and hands its id to them through `XNER_MLFLOW_PARENT_RUN_ID` (inherited by launcher workers).
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import signal
import time
from pathlib import Path
from typing import Any, Mapping

from omegaconf import DictConfig, OmegaConf

from xner.errors import XnerError
from xner.runtime import sweeps

log = logging.getLogger(__name__)
PARENT_ENV = "XNER_MLFLOW_PARENT_RUN_ID"
PARENT_FILE = ".mlflow_parent_run_id"
_MAX_PARAM_CHARS = 500


# scheme://user:secret@ as written, and as Hydra escapes it in saved overrides and job names (http\://u\:pw@)
_CREDENTIALS = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*\\?://[^:/@\s\\]+)(?P<sep>\\?:)(?P<secret>[^@/\s]+)@")


def mask_credentials(text: str) -> str:
    """`http://user:pw@host` -> `http://user:***@host` in any text (URIs in params, tags, names, logs, configs)."""
    return _CREDENTIALS.sub(lambda m: f"{m.group('head')}{m.group('sep')}***@", str(text))


class MaskCredentials(logging.Filter):
    """A logging filter (in conf/hydra/job_logging and hydra_logging) that masks credentials in every record,
    its arguments and its traceback, before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text, record.exc_info = mask_credentials(text), None
        elif record.exc_text:
            record.exc_text = mask_credentials(record.exc_text)
        record.msg, record.args = mask_credentials(message), None
        return True


def mask_files(paths: list[Path]) -> None:
    """Rewrite the given text files (Hydra's saved configs and overrides) with credentials masked."""
    from xner.io import write_text_atomic

    for path in paths:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            masked = mask_credentials(text)
            if masked != text:
                write_text_atomic(path, masked)


def tracking_uri(cfg: DictConfig) -> str:
    configured = OmegaConf.select(cfg, "logger.tracking_uri")
    if configured:
        return str(configured)
    if os.environ.get("MLFLOW_TRACKING_URI"):
        return os.environ["MLFLOW_TRACKING_URI"]
    return f"sqlite:///{Path(cfg.paths.root_dir).resolve() / 'mlflow.db'}"


def flatten(node: Any, prefix: str = "") -> dict[str, str]:
    """Dotted-key parameters of a nested config, values cut to MLflow's parameter size."""
    flat: dict[str, str] = {}
    if isinstance(node, Mapping):
        for key, value in node.items():
            flat.update(flatten(value, f"{prefix}{key}."))
    else:
        flat[prefix.rstrip(".")] = str(node)[:_MAX_PARAM_CHARS]
    return flat


class Tracker:
    """No-op tracker used when logging is off; the MLflow tracker has the same methods."""

    run_id: str | None = None

    def log_params(self, params: Mapping[str, Any]) -> None: ...
    def log_metrics(self, metrics: Mapping[str, float]) -> None: ...
    def set_tags(self, tags: Mapping[str, Any]) -> None: ...
    def log_text(self, text: str, name: str) -> None: ...
    def log_artifact(self, path: str | Path) -> None: ...
    def finish(self, status: str = "FINISHED") -> None: ...


def _client(uri: str):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=uri)


def _experiment_id(client, name: str, root_dir: str, uri: str) -> str:
    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        return experiment.experiment_id
    location = None
    if uri.startswith("sqlite:"):
        location = (Path(root_dir).resolve() / "mlartifacts").as_uri()
    try:
        return client.create_experiment(name, artifact_location=location)
    except Exception:  # another job created it at the same moment
        return client.get_experiment_by_name(name).experiment_id


class MlflowTracker(Tracker):
    """Logs to one MLflow run through the explicit client API (safe beside other runs in-process)."""

    def __init__(self, uri: str, experiment_name: str, run_name: str, root_dir: str, parent_run_id: str | None = None,
                 tags: Mapping[str, Any] | None = None):
        all_tags = {k: mask_credentials(str(v)) for k, v in (tags or {}).items()}
        if parent_run_id:
            all_tags["mlflow.parentRunId"] = parent_run_id
        try:
            self.client = _client(uri)
            experiment_id = _experiment_id(self.client, experiment_name, root_dir, uri)
            run = self.client.create_run(experiment_id, run_name=mask_credentials(run_name), tags=all_tags)
        except Exception as error:  # unreachable server, bad URI, locked database: one line, the URI masked
            first = mask_credentials(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)
            raise XnerError(f"MLflow tracking store {mask_credentials(uri)} cannot be used ({first[:300]}); set "
                            f"logger.tracking_uri or MLFLOW_TRACKING_URI to a reachable store, or logger=none") from None
        self.run_id = run.info.run_id
        log.info("MLflow run %s in experiment '%s' at %s", self.run_id, experiment_name, mask_credentials(uri))

    def log_params(self, params):
        from mlflow.entities import Param

        items = [Param(k, mask_credentials(str(v))[:_MAX_PARAM_CHARS]) for k, v in params.items()]
        for start in range(0, len(items), 100):
            self.client.log_batch(self.run_id, params=items[start : start + 100])

    def log_metrics(self, metrics):
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        items = [Metric(k.replace("@", "_"), float(v), now, 0) for k, v in metrics.items()]
        for start in range(0, len(items), 500):
            self.client.log_batch(self.run_id, metrics=items[start : start + 500])

    def set_tags(self, tags):
        for key, value in tags.items():
            self.client.set_tag(self.run_id, key, mask_credentials(str(value)))

    def log_text(self, text, name):
        self.client.log_text(self.run_id, mask_credentials(text), name)

    def log_artifact(self, path):
        self.client.log_artifact(self.run_id, str(path))

    def finish(self, status="FINISHED"):
        self.client.set_terminated(self.run_id, status=status)


def _hydra_job_info() -> tuple[dict[str, str], list[str], str | None]:
    """Config-group choices, command-line overrides and sweep dir of the current Hydra job, if any."""
    try:
        from hydra.core.hydra_config import HydraConfig

        hydra_cfg = HydraConfig.get()
    except (ImportError, ValueError):
        return {}, [], None
    choices = {k: str(v) for k, v in hydra_cfg.runtime.choices.items() if not k.startswith("hydra/")}
    overrides = list(hydra_cfg.overrides.task)
    sweep_dir = str(hydra_cfg.sweep.dir) if str(hydra_cfg.mode) == "RunMode.MULTIRUN" else None
    return choices, overrides, sweep_dir


def parent_run_id(sweep_dir: str | None) -> str | None:
    if os.environ.get(PARENT_ENV):
        return os.environ[PARENT_ENV]
    if sweep_dir and (Path(sweep_dir) / PARENT_FILE).is_file():
        return (Path(sweep_dir) / PARENT_FILE).read_text().strip()
    return None


def start_tracking(cfg: DictConfig) -> Tracker:
    """The job's tracker with the composed config as params and artifact and the components as tags."""
    if not OmegaConf.select(cfg, "logger.enabled", default=False):
        return Tracker()
    choices, overrides, sweep_dir = _hydra_job_info()
    tags = {f"xner.{group}": choice for group, choice in choices.items()}
    for group in ("translator", "aligner", "projector", "model"):
        target = OmegaConf.select(cfg, f"{group}._target_")
        if target:
            tags[f"xner.{group}.class"] = target
    tags["xner.lang"] = cfg.lang.code
    tags["xner.overrides"] = " ".join(shlex.quote(o) for o in overrides)  # read back by `python -m xner.report`
    run_name = " ".join([str(cfg.experiment.name)] + overrides) if overrides else str(cfg.experiment.name)
    tracker = MlflowTracker(tracking_uri(cfg), str(cfg.logger.experiment_name), run_name[:250], cfg.paths.root_dir,
                            parent_run_id(sweep_dir), tags)
    container = OmegaConf.to_container(cfg, resolve=True)
    tracker.log_params(flatten(container))
    tracker.log_text(OmegaConf.to_yaml(cfg, resolve=True), "config.yaml")
    return tracker


try:
    from hydra.experimental.callback import Callback
except ImportError:  # pragma: no cover - hydra is a hard dependency
    Callback = object  # type: ignore[assignment,misc]


class MlflowSweepCallback(Callback):
    """Sweep bookkeeping: remembers the sweep folder (failed and running jobs leave markers there) and, with MLflow
    on, opens one parent run that every job nests under, ended FAILED with the failed jobs named if any failed."""

    def __init__(self) -> None:
        self.tracker: MlflowTracker | None = None

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(str(config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        sweeps.CURRENT["dir"] = sweep_dir.resolve()
        if not OmegaConf.select(config, "logger.enabled", default=False):
            return
        overrides = list(config.hydra.overrides.task)
        self.tracker = MlflowTracker(tracking_uri(config), str(config.logger.experiment_name),
                                     f"sweep {config.experiment.name} {' '.join(overrides)}"[:250], config.paths.root_dir,
                                     tags={"xner.sweep_dir": sweep_dir.resolve(), "xner.sweep_overrides": " ".join(overrides)})
        sweeps.CURRENT["tracker"] = self.tracker  # type: ignore[assignment]
        os.environ[PARENT_ENV] = self.tracker.run_id
        (sweep_dir / PARENT_FILE).write_text(self.tracker.run_id)
        log.info("MLflow parent run %s for sweep %s", self.tracker.run_id, sweep_dir)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = sweeps.CURRENT.get("dir")
        mask_files([sweep_dir / "multirun.yaml"] if sweep_dir else [])
        failed = sweeps.failed_jobs(sweep_dir) if sweep_dir else {}
        if self.tracker is not None:
            if failed:
                self.tracker.set_tags({"xner.failed_jobs": ", ".join(failed), "xner.error": sweeps.failure_summary(failed)[:5000]})
            self.tracker.finish("FAILED" if failed else "FINISHED")
            os.environ.pop(PARENT_ENV, None)
            sweeps.CURRENT.pop("tracker", None)
            self.tracker = None


def close_interrupted_sweep(signum: int) -> None:
    """After SIGTERM or Ctrl-C in the launching process: stop the running jobs, mark those still RUNNING in MLflow
    and the parent run KILLED."""
    sweep_dir = sweeps.CURRENT.get("dir")
    if sweep_dir is None:
        return
    stopped = sweeps.stop_jobs(sweep_dir, signum)
    tracker = sweeps.CURRENT.pop("tracker", None)
    if tracker is not None:
        try:
            children = tracker.client.search_runs(
                [tracker.client.get_run(tracker.run_id).info.experiment_id],
                filter_string=f"tags.mlflow.parentRunId = '{tracker.run_id}' and attributes.status = 'RUNNING'")
            for child in children:
                tracker.client.set_terminated(child.info.run_id, status="KILLED")
            tracker.set_tags({"xner.killed_jobs": ", ".join(stopped)})
            tracker.finish("KILLED")
        except Exception as error:  # the store went away: say so, the markers stay
            log.warning("could not mark the sweep's MLflow runs KILLED: %s", mask_credentials(str(error)))
        os.environ.pop(PARENT_ENV, None)
    log.warning("sweep %s stopped by %s; jobs %s were running", sweep_dir, signal.Signals(signum).name,
                ", ".join(stopped) or "none")
