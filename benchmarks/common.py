"""Helpers for the speed and parity scripts (`python -m benchmarks.<name>` from the repository root): the machine in
words, a multirun into a known folder read back as rows, and replacing a marked section of docs/results/speed.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator, Sequence

from xner.io import write_text_atomic
from xner.report.records import from_sweep_dir

ROOT = Path(__file__).resolve().parents[1]
SPEED_MD = ROOT / "docs" / "results" / "speed.md"


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


def cpu_flags() -> str:
    """The vector instruction sets the CPU reports (what CPU runtimes pick kernels by), e.g. 'avx2 fma avx512f'."""
    wanted = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16")
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                present = set(line.split(":", 1)[1].split())
                return " ".join(flag for flag in wanted if flag in present) or "none of " + " ".join(wanted)
    except OSError:
        pass
    return "unknown"


def language_configs(langs: Sequence[str], overrides: Sequence[str], data_dir: str | None = None) -> Iterator[tuple[str, Any]]:
    """Each language's composed project config with `overrides` (the MasakhaNER 2.0 test languages of the studies when
    `langs` is empty); a bad override ends the script in one line naming it."""
    from hydra import compose, initialize_config_dir
    from hydra.errors import ConfigCompositionException, OverrideParseException
    from omegaconf import OmegaConf

    extra = [*overrides, *([f"paths.data_dir={data_dir}"] if data_dir else [])]
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        for lang in langs or list(OmegaConf.load(ROOT / "conf" / "study" / "_sets.yaml").masakhaner_test):
            try:
                cfg = compose(config_name="config", overrides=[f"lang={lang}", *extra])
            except (ConfigCompositionException, OverrideParseException) as err:
                raise SystemExit(f"{Path(sys.argv[0]).stem}: lang={lang} {' '.join(overrides)}: {str(err).splitlines()[0]}") from None
            yield lang, cfg


def write_page(path: Path, lines: list[str]) -> None:
    """Write a results page atomically (never half-written) and say where."""
    write_text_atomic(path, "\n".join(lines))
    print(f"wrote {path}")


def today() -> str:
    return dt.date.today().isoformat()


def replace_section(name: str, body: str, path: Path = SPEED_MD) -> None:
    """Put `body` between `<!-- name:start -->` and `<!-- name:end -->`, appending the markers if absent."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Speed and parity\n"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    write_text_atomic(path, text)


def run_sweep(overrides: list[str], sweep_dir: Path, experiment_name: str) -> float:
    """One `python -m xner.run -m` multirun into `sweep_dir`; its wall-clock seconds."""
    command = [sys.executable, "-m", "xner.run", "-m", *overrides, f"hydra.sweep.dir={sweep_dir}",
               f"logger.experiment_name={experiment_name}"]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    return time.perf_counter() - started


def collect(sweep_dir: Path) -> list[dict]:
    """One dict per finished job: its command-line settings and its metrics."""
    return [{**record.settings, **record.metrics} for record in from_sweep_dir(sweep_dir)]
