"""Line reading that reports the file and line of undecodable bytes and rejects empty files."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from xner.errors import InputError


def iter_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, text without the newline) for every line of a UTF-8 file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    if path.stat().st_size == 0:
        raise InputError(path, "file is empty")
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise InputError(path, f"not valid UTF-8 (byte {raw[error.start]:#04x} at column {error.start + 1})", number) from None
            if number == 1:
                text = text.lstrip("\ufeff")
            yield number, text.rstrip("\r\n")
