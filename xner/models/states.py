"""Hidden states of an encoder's frozen lower layers, computed once per (encoder, layer, subword ids) and
kept as fp16: on disk as memory-mapped shards shared by every run and sweep job, or in memory."""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from xner.io import atomic_open

log = logging.getLogger(__name__)
KEY_BYTES = 16
SHARD_SENTENCES = 2000  # new states are written in shards of about this many sentences
_states_dir: Path | None = None
_open: dict[tuple[str, str, int], "StateStore"] = {}


def set_states_dir(directory: str | Path | None) -> None:
    """Where stores live for this process (`paths.states_dir`, set when a run opens); None: in memory."""
    global _states_dir
    _states_dir = Path(directory) if directory else None


def state_key(input_ids: Sequence[int]) -> bytes:
    """A sentence's store key: a digest of its subword ids (what the frozen layers see)."""
    return hashlib.blake2b(np.asarray(input_ids, dtype=np.int32).tobytes(), digest_size=KEY_BYTES).digest()


def encoder_identity(path: str) -> str:
    """Names one encoder's weights: its config and the size and mtime of each weight file (a folder), else its
    name (a hub id, cached by transformers)."""
    digest = hashlib.blake2b(str(path).encode(), digest_size=8)
    folder = Path(path)
    if folder.is_dir():
        for name in sorted(os.listdir(folder)):
            if name == "config.json" or name.endswith((".safetensors", ".bin")):
                stat = (folder / name).stat()
                digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        if (folder / "config.json").is_file():
            digest.update((folder / "config.json").read_bytes())
    return digest.hexdigest()


def open_store(encoder_path: str, layer: int, hidden: int) -> "StateStore":
    """The process's store for the states after `layer` layers of an encoder (one per folder and layer)."""
    identity = encoder_identity(encoder_path)
    folder = _states_dir / f"{identity}-layer{layer}" if _states_dir is not None else None
    handle = (str(folder), identity, layer)
    if handle not in _open:
        _open[handle] = StateStore(folder, hidden)
    return _open[handle]


class StateStore:
    """Key -> (subwords, hidden) fp16 array. On disk each batch of new states is one immutable shard (data,
    then its index, each renamed into place), so concurrent jobs only ever add complete shards."""

    def __init__(self, folder: Path | None, hidden: int):
        self.folder, self.hidden = folder, hidden
        self._arrays: dict[bytes, np.ndarray] = {}
        self._pending: dict[bytes, np.ndarray] = {}  # added, not yet written
        self._shards: set[str] = set()
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            self.refresh()

    def refresh(self) -> None:
        """Map the shards other processes wrote since the last look; a damaged shard is skipped (recomputed)."""
        if self.folder is None:
            return
        for index_path in sorted(self.folder.glob("*.index.npz")):
            shard = index_path.name[: -len(".index.npz")]
            if shard in self._shards:
                continue
            self._shards.add(shard)
            try:
                with np.load(index_path, allow_pickle=False) as index:
                    keys, offsets = index["keys"], index["offsets"]
                data = np.load(self.folder / f"{shard}.npy", mmap_mode="r", allow_pickle=False)
                if data.dtype != np.float16 or data.ndim != 2 or data.shape[1] != self.hidden or keys.shape[1:] != (KEY_BYTES,) \
                        or len(offsets) != len(keys) + 1 or int(offsets[-1]) != data.shape[0]:
                    raise ValueError(f"shape {data.shape} {data.dtype}, {len(keys)} keys, offsets end {int(offsets[-1])}")
            except (OSError, ValueError, KeyError) as error:
                log.warning("hidden-state shard %s unreadable (%s): skipped, its states are recomputed", index_path, error)
                continue
            for position, key in enumerate(keys):
                self._arrays.setdefault(key.tobytes(), data[offsets[position]: offsets[position + 1]])

    def get(self, key: bytes) -> np.ndarray | None:
        return self._arrays.get(key)

    def missing(self, keys: Iterable[bytes], look: bool = True) -> list[bytes]:
        """Distinct keys without states, in first-seen order (after looking for new shards, unless not `look`)."""
        if look:
            self.refresh()
        return list(dict.fromkeys(key for key in keys if key not in self._arrays))

    def add(self, states: Mapping[bytes, np.ndarray]) -> None:
        """Keep new states (fp16), readable at once; on disk they are written by `flush` (or when enough wait)."""
        states = {key: np.asarray(value, dtype=np.float16) for key, value in states.items() if key not in self._arrays}
        self._arrays.update(states)
        if self.folder is not None:
            self._pending.update(states)
            if len(self._pending) >= SHARD_SENTENCES:
                self.flush()

    def flush(self) -> None:
        """Write the states added since the last flush as one new shard."""
        states, self._pending = self._pending, {}
        if not states or self.folder is None:
            return
        keys = list(states)
        offsets = np.concatenate([[0], np.cumsum([len(states[key]) for key in keys])]).astype(np.int64)
        shard = uuid.uuid4().hex
        with atomic_open(self.folder / f"{shard}.npy", "wb") as handle:
            np.save(handle, np.concatenate([states[key] for key in keys]), allow_pickle=False)
        with atomic_open(self.folder / f"{shard}.index.npz", "wb") as handle:  # last: the shard is complete
            np.savez(handle, keys=np.frombuffer(b"".join(keys), np.uint8).reshape(-1, KEY_BYTES), offsets=offsets)
        self._shards.add(shard)  # its states are already in memory
