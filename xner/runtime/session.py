"""Opening and closing one run: validate the config, point encoders at the models folder, open the
stage cache and the MLflow run; on exit save the metrics, say where the time went, close the run."""

from __future__ import annotations

import logging
import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping

from omegaconf import DictConfig
from omegaconf.errors import MissingMandatoryValue, OmegaConfBaseException

from xner.errors import ConfigError, Interrupted
from xner.models.encoder import set_models_dir
from xner.models.states import set_states_dir
from xner.runtime.cache import StageCache
from xner.runtime.context import RunContext
from xner.runtime.tracking import mask_credentials, mask_files, start_tracking
from xner.runtime.validate import Check, validate

log = logging.getLogger(__name__)


@contextmanager
def config_errors() -> Iterator[None]:
    """OmegaConf's missing or invalid values as one-line ConfigErrors."""
    try:
        yield
    except MissingMandatoryValue as error:
        raise ConfigError(f"config value '{error.full_key}' must be set (e.g. {error.full_key}=...)") from None
    except OmegaConfBaseException as error:
        raise ConfigError(f"invalid config: {str(error).splitlines()[0]} (at {error.full_key})") from None


def output_dir(cfg: DictConfig) -> Path:
    """The Hydra job's output folder (outputs/<date>/<time>), or outputs/adhoc outside Hydra."""
    try:
        from hydra.core.hydra_config import HydraConfig

        return Path(HydraConfig.get().runtime.output_dir)
    except (ImportError, ValueError):
        return Path(cfg.paths.root_dir) / "outputs" / "adhoc"


@contextmanager
def signals_unwind() -> Iterator[None]:
    """While a run is open, SIGTERM raises Interrupted (as SIGINT raises KeyboardInterrupt), so `finally`
    blocks run: the MLflow run is closed, subprocesses (eflomal) are killed and temporary files removed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def unwind(signum, frame):
        raise Interrupted(signum)

    previous = signal.signal(signal.SIGTERM, unwind)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def mask_saved_configs(output: Path) -> None:
    """Hydra's copies of the config and overrides (job and sweep) with credentials in URIs masked."""
    saved = list((output / ".hydra").glob("*.yaml")) + [output.parent / "multirun.yaml"]
    mask_files(saved)


@contextmanager
def open_run(cfg: DictConfig, checks: Mapping[str, Check | None], schemas: Mapping[str, type] | None = None
             ) -> Iterator[RunContext]:
    """The run's context; `checks` are the experiments' own config checks (validated before anything runs)."""
    output = output_dir(cfg)
    mask_saved_configs(output)  # first: a config refused below must not leave a credential in .hydra/
    with config_errors():
        validate(cfg, checks, schemas)
    set_models_dir(cfg.paths.models_dir)
    if cfg.get("threads"):
        import torch

        torch.set_num_threads(int(cfg.threads))
    root = Path(cfg.paths.root_dir)
    states_dir = cfg.paths.get("states_dir")  # relative to the root; without the cache, states stay in memory
    set_states_dir(root / states_dir if states_dir and cfg.paths.use_cache else None)
    cache_dir = Path(cfg.paths.cache_dir)
    cache = StageCache(cache_dir if cache_dir.is_absolute() else root / cache_dir, enabled=cfg.paths.use_cache)
    tracker = start_tracking(cfg)
    ctx = RunContext(cfg, cache, tracker, output)
    started = time.perf_counter()
    log.info("experiment=%s lang=%s; outputs in %s, stage cache in %s", cfg.experiment.name, cfg.lang.code,
             ctx.output_dir, cache.root)
    try:
        with signals_unwind(), config_errors():
            yield ctx
        metrics_path = ctx.save_metrics()
    except (Interrupted, KeyboardInterrupt) as interrupt:
        log.warning("run interrupted (%s); MLflow run marked KILLED", interrupt if str(interrupt) else "SIGINT")
        tracker.finish("KILLED")
        raise
    except BaseException as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        tracker.set_tags({"xner.error": mask_credentials(f"{type(error).__name__}: {first}" if first else type(error).__name__)})
        tracker.finish("FAILED")
        raise
    log.info("%s", ctx.time_summary(time.perf_counter() - started))
    log.info("metrics: %s", metrics_path)
    tracker.finish("FINISHED")
