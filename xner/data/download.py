"""`python -m xner.data.download DATASET [field=value ...]`: fetch registered files into the cache."""

from __future__ import annotations

import itertools
import logging
import sys

from xner.data.registry import DATASETS, download_cache_dir, fetch, get_dataset
from xner.errors import XnerError, report

log = logging.getLogger("xner.data.download")


def download(name: str, **fixed: str) -> list[str]:
    """Download every file of `name` matching the fixed field values; returns the cached paths."""
    spec = get_dataset(name)
    if not spec.url_template:
        raise XnerError(f"{name} has no direct download address; obtain it from {spec.source}")
    names = list(spec.fields)
    grids = [[fixed[n]] if n in fixed else list(spec.fields[n]) for n in names]
    paths = []
    for combo in itertools.product(*grids):
        values = dict(zip(names, combo))
        sides = values["pair"].split("-") if spec.parallel else [None]
        for lang in sides:
            file_values = {**values, "lang": lang} if lang else values
            log.info("downloading %s", spec.url(**file_values))
            try:
                paths.append(str(fetch(spec, spec.relative_path(**file_values), **file_values)))
            except XnerError as error:  # some combinations (e.g. a missing dev split) do not exist upstream
                log.warning("%s", error)
    return paths


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m xner.data.download DATASET [field=value ...]\ndatasets: " + ", ".join(DATASETS))
        return 0 if argv else 2
    try:
        fixed = dict(arg.split("=", 1) for arg in argv[1:])
        paths = download(argv[0], **fixed)
    except (XnerError, ValueError) as error:
        return report(error)
    print(f"{len(paths)} files in {download_cache_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
