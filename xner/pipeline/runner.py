"""The plain function behind `python -m xner.run`: build the run's context and run its pipeline."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import MissingMandatoryValue, OmegaConfBaseException

from xner.errors import ConfigError
from xner.pipeline.alignment_eval import alignment_eval
from xner.pipeline.cache import StageCache
from xner.pipeline.context import RunContext
from xner.pipeline.intrinsic import intrinsic_projection
from xner.pipeline.ner_experiments import model_transfer, projection, supervised
from xner.pipeline.teacher_student import teacher_student
from xner.pipeline.tracking import start_tracking
from xner.pipeline.translate_test import translate_test
from xner.pipeline.translate_train import translate_train
from xner.pipeline.validate import validate

log = logging.getLogger(__name__)

# `${xner.root:}` in configs: where relative paths (cache, mlflow.db) are anchored, the launch directory.
OmegaConf.register_new_resolver("xner.root", os.getcwd, replace=True)

PIPELINES = {
    "intrinsic_projection": intrinsic_projection,
    "alignment_eval": alignment_eval,
    "translate_train": translate_train,
    "translate_test": translate_test,
    "supervised": supervised,
    "model_transfer": model_transfer,
    "projection": projection,
    "teacher_student": teacher_student,
}


def _output_dir(cfg: DictConfig) -> Path:
    try:
        from hydra.core.hydra_config import HydraConfig

        return Path(HydraConfig.get().runtime.output_dir)
    except (ImportError, ValueError):
        return Path(cfg.paths.root_dir) / "outputs" / "adhoc"


def run(cfg: DictConfig) -> dict[str, float]:
    """Run the experiment `cfg` describes; returns its metrics (also logged and saved as metrics.json)."""
    try:
        validate(cfg, list(PIPELINES))
    except MissingMandatoryValue as error:
        raise ConfigError(f"config value '{error.full_key}' must be set (e.g. {error.full_key}=...)") from None
    except OmegaConfBaseException as error:
        raise ConfigError(f"invalid config: {str(error).splitlines()[0]} (at {error.full_key})") from None
    pipeline_name = cfg.experiment.pipeline
    root = Path(cfg.paths.root_dir)
    cache_dir = Path(cfg.paths.cache_dir)
    cache = StageCache(cache_dir if cache_dir.is_absolute() else root / cache_dir, enabled=cfg.paths.use_cache)
    output_dir = _output_dir(cfg)
    tracker = start_tracking(cfg)
    ctx = RunContext(cfg, cache, tracker, output_dir)
    try:
        try:
            metrics = PIPELINES[pipeline_name](cfg, ctx)
        except MissingMandatoryValue as error:
            raise ConfigError(f"config value '{error.full_key}' must be set (e.g. {error.full_key}=...)") from None
        metrics_path = ctx.save_metrics()
    except BaseException:
        tracker.finish("FAILED")
        raise
    headline = str(cfg.experiment.headline_metric)
    log.info("%s = %.4f (all metrics: %s)", headline, metrics.get(headline, float("nan")), metrics_path)
    tracker.finish("FINISHED")
    return metrics
