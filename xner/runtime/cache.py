"""Stage artifacts keyed by a hash of the config that produced them, the contents of the files it names and
the code that computes them.

A key holds: the stage's name; its key material (the options of the components it uses, upstream results by
`StageResult.ref`, every file an option names by its sha256 alone, wherever it lies); and the code fingerprint
(xner's version, source hashes of the modules implementing the stage, the versions of the libraries they
import; `xner.runtime.code`). An entry made under other code simply misses and is recomputed.

A stage's artifact is `<root>/<stage>/<key><suffix>` plus `<key>.meta.json`, written after the
artifact and holding its key, size and sha256: the meta file marks a finished stage, so an interrupted
run recomputes only unfinished stages, and a damaged or misplaced artifact is recomputed. A stage's
key names its upstream artifacts by content (`StageResult.ref`), so a recomputed upstream stage that
changed invalidates its dependents. One lock per key: concurrent runs compute a stage once.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Generic, Iterator, TypeVar

from xner.errors import ConfigError
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
    sha256: str = ""

    @property
    def ref(self) -> str:
        """How a dependent stage names this artifact in its key: by key and content."""
        return f"{self.key}:{self.sha256[:16]}"


class Fingerprints:
    """sha256 of files by path, remembered with their size and mtime: an unchanged file is not re-read,
    a changed one is hashed again (`<cache root>/fingerprints.json`)."""

    def __init__(self, path: Path):
        self.path = path
        known = read_json_or_none(path)
        if known is not None and not isinstance(known, dict):
            log.warning("%s is not a fingerprint table (a JSON object); rebuilding it", path)
        self.known: dict[str, list] = known if isinstance(known, dict) else {}
        self.dirty = False

    def sha256(self, file: Path) -> str:
        stat = file.stat()
        name = str(file.resolve())
        entry = self.known.get(name)
        if isinstance(entry, list) and len(entry) == 3 and entry[:2] == [stat.st_size, stat.st_mtime_ns]:
            return str(entry[2])
        digest = file_sha256(file)
        self.known[name], self.dirty = [stat.st_size, stat.st_mtime_ns, digest], True
        return digest

    def save(self) -> None:
        if self.dirty:
            saved = read_json_or_none(self.path)
            merged = {**(saved if isinstance(saved, dict) else {}), **self.known}  # keep what concurrent runs added
            write_json_atomic(self.path, merged)
            self.dirty = False


def suffix_of(artifact: Path, key: str) -> str:
    return artifact.name[len(key):]


def _names_a_file(value: str) -> bool:
    return 0 < len(value) < 4096 and "\n" not in value and ("/" in value or "." in value) and os.path.isfile(value)


class StageCache:
    """Runs a stage unless a verified artifact for the same key exists."""

    def __init__(self, root: str | Path, enabled: bool = True):
        self.root = Path(root)
        self.enabled = enabled
        if self.root.exists() and not self.root.is_dir():
            raise ConfigError(f"paths.cache_dir: {self.root} is a file, not a folder (point it at a folder)")
        self.fingerprints = Fingerprints(self.root / "fingerprints.json")

    def with_contents(self, material: Any) -> Any:
        """`material` with every string that names an existing file replaced by its content hash alone: a new
        content behind an unchanged path changes the key, the same content at another path does not."""
        if isinstance(material, dict):
            return {key: self.with_contents(value) for key, value in material.items()}
        if isinstance(material, (list, tuple)):
            return [self.with_contents(value) for value in material]
        if isinstance(material, str) and _names_a_file(material):
            return {"file_sha256": self.fingerprints.sha256(Path(material))}
        return material

    def paths(self, stage: str, key: str, suffix: str) -> tuple[Path, Path]:
        folder = self.root / stage
        return folder / f"{key}{suffix}", folder / f"{key}.meta.json"

    def valid_meta(self, stage: str, key: str, artifact: Path, meta_path: Path) -> dict | None:
        """The entry's meta record if it is finished, belongs to this key and its artifact is intact."""
        meta = read_json_or_none(meta_path)
        if not isinstance(meta, dict) or not artifact.is_file():
            return None
        if meta.get("key") != key or meta.get("stage") != stage:
            log.warning("cache entry %s belongs to another key (%s/%s); recomputing", artifact, meta.get("stage"),
                        meta.get("key"))
            return None
        if artifact.stat().st_size != meta.get("size") or file_sha256(artifact) != meta.get("sha256"):
            log.warning("cache entry %s is damaged (size or hash differs); recomputing", artifact)
            return None
        return meta

    @contextmanager
    def locked(self, stage: str, key: str) -> Iterator[None]:
        """Hold `<stage>/<key>.lock`; a second run wanting the same entry waits here, then reuses it."""
        lock_path = self.root / stage / f"{key}.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("stage %s: another run is computing %s; waiting for it (lock %s)", stage, key, lock_path)
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def run(self, stage: str, key_material: Any, compute: Callable[[], T], save: Callable[[T, Path], None],
            load: Callable[[Path], T], suffix: str = ".json", code: dict | None = None) -> StageResult[T]:
        """The stage's result from the cache, or computed and stored; `code` is its code fingerprint."""
        key_material = self.with_contents(key_material)
        if self.enabled:
            self.fingerprints.save()
        key = stable_hash({"stage": stage, "material": key_material, "code": code})
        artifact, meta_path = self.paths(stage, key, suffix)
        started = time.perf_counter()
        if not self.enabled:
            return self._compute(stage, key, key_material, compute, save, artifact, meta_path, started, code)
        hit = self._hit(stage, key, artifact, meta_path, load, started)
        if hit is not None:
            return hit
        with self.locked(stage, key):
            hit = self._hit(stage, key, artifact, meta_path, load, started)  # computed by a run we waited for
            return hit if hit is not None else self._compute(stage, key, key_material, compute, save, artifact,
                                                             meta_path, started, code)

    def _hit(self, stage: str, key: str, artifact: Path, meta_path: Path, load: Callable[[Path], T],
             started: float) -> StageResult[T] | None:
        meta = self.valid_meta(stage, key, artifact, meta_path)
        if meta is None:
            return None
        value = load(artifact)
        log.info("stage %s: cache hit %s", stage, artifact)
        return StageResult(stage, key, artifact, value, True, time.perf_counter() - started, meta.get("seconds"),
                           str(meta.get("sha256")))

    def _compute(self, stage: str, key: str, key_material: Any, compute: Callable[[], T], save: Callable[[T, Path], None],
                 artifact: Path, meta_path: Path, started: float, code: dict | None = None) -> StageResult[T]:
        log.info("stage %s: computing (key %s)", stage, key)
        value = compute()
        save(value, artifact)
        seconds = time.perf_counter() - started
        digest = file_sha256(artifact)
        write_json_atomic(meta_path, {"stage": stage, "key": key, "material": key_material, "code": code, "seconds": seconds,
                                      "size": artifact.stat().st_size, "sha256": digest, "suffix": suffix_of(artifact, key),
                                      "created": time.time()})
        log.info("stage %s: done in %.2fs, wrote %s", stage, seconds, artifact)
        return StageResult(stage, key, artifact, value, False, seconds, seconds, digest)
