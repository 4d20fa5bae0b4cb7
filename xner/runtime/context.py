"""The one object every stage and experiment gets: the run's config, stage cache, tracker and output
folder, plus its metrics and where the time went."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from omegaconf import DictConfig

from xner.io import write_json_atomic
from xner.runtime.cache import StageCache, StageResult
from xner.runtime.code import code_fingerprint
from xner.runtime.components import build
from xner.runtime.tracking import Tracker

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class StageTime:
    """One stage of this run: seconds spent now, and what computing it cost (now or when it was cached)."""

    name: str
    seconds: float
    cache_hit: bool
    compute_seconds: float | None
    cached: bool = True  # False: a step that is never cached (scoring a model on a test split)


@dataclass
class RunContext:
    cfg: DictConfig
    cache: StageCache
    tracker: Tracker
    output_dir: Path
    metrics: dict[str, float] = field(default_factory=dict)
    timeline: list[StageTime] = field(default_factory=list)

    def build(self, group: str) -> Any:
        """The component configured in `group` (translator, aligner, projector, ...), built from its `_target_`."""
        return build(self.cfg.get(group), group)

    def stage(self, name: str, key_material: Any, compute: Callable[[], T], save: Callable[[T, Path], None],
              load: Callable[[Path], T], suffix: str) -> StageResult[T]:
        """Run (or reuse) a stage and log its timing, cache status and artifact location."""
        code = code_fingerprint(compute, key_material)
        result = self.cache.run(name, key_material, compute, save, load, suffix, code=code)
        # a stage run more than once (one per teacher) reports its calls together: seconds summed, a hit only if all were
        calls = [entry for entry in self.timeline if entry.cached and entry.name == name]
        stage_metrics = {f"stage/{name}/seconds": result.seconds + sum(entry.seconds for entry in calls),
                         f"stage/{name}/cache_hit": float(result.cache_hit and all(entry.cache_hit for entry in calls))}
        costs = [entry.compute_seconds for entry in calls if entry.compute_seconds is not None]
        if result.compute_seconds is not None:  # a cache hit still reports what the stage costs (scaling plots)
            stage_metrics[f"stage/{name}/compute_seconds"] = float(result.compute_seconds) + sum(costs)
        if calls:
            stage_metrics[f"stage/{name}/calls"] = float(len(calls) + 1)
        self.log_metrics(stage_metrics)
        self.tracker.set_tags({f"xner.artifact.{name}": result.path})
        self.timeline.append(StageTime(name, result.seconds, result.cache_hit, result.compute_seconds))
        return result

    @contextmanager
    def step(self, name: str) -> Iterator[StageTime]:
        """Time an uncached step (e.g. predicting a test split) so the time summary shows it; the yielded
        entry holds its seconds once the block ends."""
        entry = StageTime(name, 0.0, False, None, cached=False)
        started = time.perf_counter()
        yield entry
        entry.seconds = time.perf_counter() - started
        self.timeline.append(entry)
        self.log_metrics({f"step/{name.replace(' ', '_')}/seconds": entry.seconds})

    def log_metrics(self, metrics: dict[str, float]) -> None:
        self.metrics.update(metrics)
        self.tracker.log_metrics(metrics)

    def save_metrics(self) -> Path:
        path = self.output_dir / "metrics.json"
        write_json_atomic(path, self.metrics)
        return path

    def time_summary(self, total_seconds: float) -> str:
        """Where this run's time went, stage by stage (cached stages with what they cost when computed)."""
        lines = [f"time: {total_seconds:.1f}s in all"]
        for entry in self.timeline:
            if not entry.cached:
                lines.append(f"  {entry.name:<14} {entry.seconds:8.1f}s")
            elif entry.cache_hit:
                cost = f", computed earlier in {entry.compute_seconds:.1f}s" if entry.compute_seconds is not None else ""
                lines.append(f"  {entry.name:<14} {entry.seconds:8.1f}s  cached{cost}")
            else:
                lines.append(f"  {entry.name:<14} {entry.seconds:8.1f}s  computed (cached for later runs)")
        staged = sum(entry.seconds for entry in self.timeline)
        lines.append(f"  {'other':<14} {max(total_seconds - staged, 0.0):8.1f}s  reading data, building components, "
                     "scoring, tracking")
        return "\n".join(lines)
