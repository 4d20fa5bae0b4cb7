"""Runs as flat records (their settings plus metrics), read from a Hydra sweep folder or from an MLflow experiment,
so reports work with or without the tracking server. A setting any run's command line names is read from every
run's resolved config, so `aligner=eflomal` typed and eflomal by default are one method."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import yaml

from xner.errors import InputError

IGNORED_PREFIXES = ("paths.", "hydra.", "logger.")
IGNORED_KEYS = ("logger", "paths", "hydra/launcher")
OVERRIDES_TAG = "xner.overrides"


@dataclass
class RunRecord:
    """One job: where it came from, its settings (`lang=swa`, `projector=ilp`, ...) and its metrics."""

    source: str
    settings: dict[str, str]
    metrics: dict[str, float] = field(default_factory=dict)
    resolved: dict[str, str] = field(default_factory=dict)  # config-group choices and the flattened config


SPECIAL_TAGS = ("overrides", "lang", "sweep_dir", "sweep_overrides", "error", "failed_jobs")


def normalise(value: str) -> str:
    """Config values as override text: None -> null, True -> true."""
    return {"None": "null", "True": "true", "False": "false"}.get(value, value)


def resolve_settings(records: list[RunRecord]) -> list[RunRecord]:
    """Every record's value for every setting any record's command line names, read from its resolved config
    (its own override text where the config does not hold the key)."""
    keys = list(dict.fromkeys(k for r in records for k in r.settings))
    for record in records:
        record.settings = {key: normalise(record.resolved[key]) if key in record.resolved else record.settings.get(key, "-")
                           for key in keys}
    return records


def _resolved_from_folder(job_dir: Path) -> dict[str, str]:
    from xner.runtime.tracking import flatten

    resolved: dict[str, str] = {}
    config, hydra = job_dir / ".hydra" / "config.yaml", job_dir / ".hydra" / "hydra.yaml"
    try:
        if config.is_file():
            resolved.update(flatten(yaml.safe_load(config.read_text()) or {}))
        if hydra.is_file():
            choices = ((yaml.safe_load(hydra.read_text()) or {}).get("hydra") or {}).get("runtime", {}).get("choices") or {}
            resolved.update({str(k): str(v) for k, v in choices.items() if not str(k).startswith("hydra/")})
    except yaml.YAMLError as error:
        raise InputError(config, f"not valid YAML ({str(error).splitlines()[0]})") from None
    return resolved


def settings_from_overrides(overrides: list[str]) -> dict[str, str]:
    """`key=value` overrides without the ones that only say where things go (paths, hydra, logger)."""
    pairs = (o.lstrip("+~").split("=", 1) for o in overrides if "=" in o)
    return {key: value for key, value in pairs if not key.startswith(IGNORED_PREFIXES) and key not in IGNORED_KEYS}


def from_sweep_dir(sweep_dir: str | Path) -> list[RunRecord]:
    """Every finished job (`<job>/metrics.json`) of a multirun folder; unfinished jobs are skipped."""
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise InputError(sweep_dir, "not a folder (give a multirun sweep folder or mlflow:<experiment>)")
    records = []
    for metrics_path in sorted(sweep_dir.glob("**/metrics.json")):
        overrides_path = metrics_path.parent / ".hydra" / "overrides.yaml"
        overrides = yaml.safe_load(overrides_path.read_text()) if overrides_path.is_file() else []
        try:
            metrics = json.loads(metrics_path.read_text())
        except json.JSONDecodeError as error:
            raise InputError(metrics_path, f"not valid JSON ({error.msg})", error.lineno) from None
        records.append(RunRecord(str(metrics_path.parent), settings_from_overrides(overrides or []), metrics,
                                 _resolved_from_folder(metrics_path.parent)))
    if not records:
        raise InputError(sweep_dir, "no finished runs (no */metrics.json) in this folder")
    return resolve_settings(records)


def from_mlflow(experiment: str, tracking_uri: str, parent_run_id: str | None = None) -> list[RunRecord]:
    """Finished runs of an MLflow experiment (only the children of `parent_run_id` when given)."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri)
    found = client.get_experiment_by_name(experiment)
    if found is None:
        names = [e.name for e in client.search_experiments()]
        raise InputError(tracking_uri, f"no MLflow experiment '{experiment}' (experiments: {', '.join(names) or 'none'})")
    query = "attributes.status = 'FINISHED'"
    if parent_run_id:
        query += f" and tags.mlflow.parentRunId = '{parent_run_id}'"
    records = []
    for run in client.search_runs([found.experiment_id], query, max_results=50000):
        if OVERRIDES_TAG not in run.data.tags:
            continue  # a sweep's parent run, or a run logged by something else
        settings = settings_from_overrides(shlex.split(run.data.tags[OVERRIDES_TAG]))
        choices = {k[len("xner."):]: v for k, v in run.data.tags.items() if k.startswith("xner.") and
                   k[len("xner."):] not in SPECIAL_TAGS and not k.endswith(".class") and not k.startswith("xner.artifact.")}
        records.append(RunRecord(f"mlflow:{run.info.run_id}", settings, dict(run.data.metrics), {**run.data.params, **choices}))
    if not records:
        raise InputError(tracking_uri, f"MLflow experiment '{experiment}' has no finished xner runs")
    return resolve_settings(records)


def stage_names(metrics: dict) -> set[str]:
    return {m.split("/")[1] for m in metrics if m.startswith("stage/") and m.endswith("/seconds")}


def stage_cost(metrics: dict, stage: str) -> float | None:
    """Seconds a stage costs to compute: measured when it ran, or recorded with its cache entry; None if unknown."""
    if f"stage/{stage}/compute_seconds" in metrics:
        return metrics[f"stage/{stage}/compute_seconds"]
    if not metrics.get(f"stage/{stage}/cache_hit", 0) and f"stage/{stage}/seconds" in metrics:
        return metrics[f"stage/{stage}/seconds"]
    return None


def stages_cost(metrics: dict, exclude: Sequence[str] = ()) -> float | None:
    """Seconds all stages but `exclude` cost (cached ones by their recorded cost); None when none is known."""
    costs = [c for name in stage_names(metrics) - set(exclude) if (c := stage_cost(metrics, name)) is not None]
    return sum(costs) if costs else None
