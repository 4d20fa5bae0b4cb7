"""Progress bars for long loops: live on a terminal, one line every 30 s when output goes to a log file."""

from __future__ import annotations

import sys
from typing import Any

from tqdm.auto import tqdm


def progress(iterable: Any = None, **options: Any) -> tqdm:
    """tqdm with a slower refresh when stderr is not a terminal, so batch logs are not flooded."""
    if not sys.stderr.isatty():
        options.setdefault("mininterval", 30.0)
    return tqdm(iterable, **options)
