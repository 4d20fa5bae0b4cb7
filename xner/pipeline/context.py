"""What every pipeline function gets: the config, the stage cache, the tracker, the output dir."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from omegaconf import DictConfig

from xner.io import write_json_atomic
from xner.pipeline.cache import StageCache, StageResult
from xner.pipeline.tracking import Tracker

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class RunContext:
    cfg: DictConfig
    cache: StageCache
    tracker: Tracker
    output_dir: Path
    metrics: dict[str, float] = field(default_factory=dict)

    def stage(self, name: str, key_material: Any, compute: Callable[[], T], save: Callable[[T, Path], None],
              load: Callable[[Path], T], suffix: str) -> StageResult[T]:
        """Run (or reuse) a stage and log its timing, cache status and artifact location."""
        result = self.cache.run(name, key_material, compute, save, load, suffix)
        stage_metrics = {f"stage/{name}/seconds": result.seconds, f"stage/{name}/cache_hit": float(result.cache_hit)}
        if result.compute_seconds is not None:  # a cache hit still reports what the stage costs (scaling plots)
            stage_metrics[f"stage/{name}/compute_seconds"] = float(result.compute_seconds)
        self.log_metrics(stage_metrics)
        self.tracker.set_tags({f"xner.artifact.{name}": result.path})
        return result

    def log_metrics(self, metrics: dict[str, float]) -> None:
        self.metrics.update(metrics)
        self.tracker.log_metrics(metrics)

    def save_metrics(self) -> Path:
        path = self.output_dir / "metrics.json"
        write_json_atomic(path, self.metrics)
        return path
