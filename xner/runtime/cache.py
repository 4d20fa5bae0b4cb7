"""Stage artifacts keyed by a hash of the config that produced them.

A stage's artifact is `<root>/<stage>/<key><suffix>` plus `<key>.meta.json`, written after the
artifact and holding its size and sha256: the meta file marks a finished stage, so an interrupted
run recomputes only unfinished stages, and a damaged artifact (wrong size or hash) is recomputed.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Generic, TypeVar

from xner.io import file_sha256, read_json_or_none, stable_hash, write_json_atomic

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class StageResult(Generic[T]):
    """A stage's output with where it lives and whether it came from the cache."""

    stage: str
    key: str
    path: Path
    value: T
    cache_hit: bool
    seconds: float
    compute_seconds: float | None = None  # what computing it cost (now, or when the cached entry was made)


class StageCache:
    """Runs a stage unless a verified artifact for the same key exists."""

    def __init__(self, root: str | Path, enabled: bool = True):
        self.root = Path(root)
        self.enabled = enabled

    def paths(self, stage: str, key: str, suffix: str) -> tuple[Path, Path]:
        folder = self.root / stage
        return folder / f"{key}{suffix}", folder / f"{key}.meta.json"

    def is_valid(self, artifact: Path, meta_path: Path) -> bool:
        meta = read_json_or_none(meta_path)
        if meta is None or not artifact.is_file():
            return False
        if artifact.stat().st_size != meta.get("size") or file_sha256(artifact) != meta.get("sha256"):
            log.warning("cache entry %s is damaged (size or hash differs); recomputing", artifact)
            return False
        return True

    def run(self, stage: str, key_material: Any, compute: Callable[[], T], save: Callable[[T, Path], None],
            load: Callable[[Path], T], suffix: str = ".json") -> StageResult[T]:
        key = stable_hash({"stage": stage, "material": key_material})
        artifact, meta_path = self.paths(stage, key, suffix)
        started = time.perf_counter()
        if self.enabled and self.is_valid(artifact, meta_path):
            value = load(artifact)
            log.info("stage %s: cache hit %s", stage, artifact)
            return StageResult(stage, key, artifact, value, True, time.perf_counter() - started,
                               (read_json_or_none(meta_path) or {}).get("seconds"))
        log.info("stage %s: computing (key %s)", stage, key)
        value = compute()
        save(value, artifact)
        seconds = time.perf_counter() - started
        write_json_atomic(meta_path, {"stage": stage, "key": key, "material": key_material, "seconds": seconds,
                                      "size": artifact.stat().st_size, "sha256": file_sha256(artifact)})
        log.info("stage %s: done in %.2fs, wrote %s", stage, seconds, artifact)
        return StageResult(stage, key, artifact, value, False, seconds, seconds)
