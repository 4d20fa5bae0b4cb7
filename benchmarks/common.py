"""Helpers for benchmark scripts: machine description and replacing a marked section of docs/benchmarks.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import shutil
from pathlib import Path

from xner.io import write_text_atomic

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = ROOT / "docs" / "benchmarks.md"


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}, Python {platform.python_version()}, {platform.system()}"


def today() -> str:
    return dt.date.today().isoformat()


def replace_section(name: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Put `body` between `<!-- name:start -->` and `<!-- name:end -->`, appending the markers if absent."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    write_text_atomic(path, text)


def copy_figures(report_dir: Path, prefix: str) -> list[Path]:
    """Copy a report's PNG plots to docs/figures/<prefix>_<name>; their paths relative to docs/ (for Markdown links)."""
    figures = ROOT / "docs" / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    copied = []
    for png in sorted(Path(report_dir).glob("*.png")):
        shutil.copyfile(png, figures / f"{prefix}_{png.name}")
        copied.append((figures / f"{prefix}_{png.name}").relative_to(ROOT / "docs"))
    return copied
