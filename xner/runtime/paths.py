"""Folder options checked before anything is written: a folder a run will create must not lie under a file."""

from __future__ import annotations

import os
from pathlib import Path

from xner.errors import ConfigError


def check_under_folders(key: str, folder: str | os.PathLike) -> None:
    """ConfigError if `folder`, or a folder above it, exists as something other than a folder."""
    path = Path(folder).absolute()
    for candidate in [path, *path.parents]:
        if candidate.exists():
            if not candidate.is_dir():
                where = "is" if candidate == path else f"is under {candidate}, which is"
                raise ConfigError(f"{key}: {path} {where} a file, not a folder (point it at a folder)")
            return
