"""Layer 5, run machinery: stage cache, run context, MLflow tracking, artifacts, component building, config validation."""

import os
from pathlib import Path

from omegaconf import OmegaConf


def claim_folder(base: str) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever this process creates first: runs started in the same
    second get folders of their own (mkdir is atomic, so two processes never claim the same one)."""
    for attempt in range(1, 10_000):
        candidate = base if attempt == 1 else f"{base}-{attempt}"
        try:
            Path(candidate).mkdir(parents=True, exist_ok=False)
            return candidate
        except FileExistsError:
            continue
    raise RuntimeError(f"no free run folder next to {base}")


def env_or(name: str, default: str | None) -> str | None:
    """$name, or `default` (None for `null`) when it is unset or empty: an empty XNER_CACHE_DIR must not
    mean the filesystem root."""
    return os.environ.get(name) or default


# `${xner.root:}` in configs: where relative paths (cache, mlflow.db) are anchored, the launch directory.
OmegaConf.register_new_resolver("xner.root", os.getcwd, replace=True)
# `${xner.fresh:outputs/<date>/<time>}`: a run folder claimed once per config (cached like Hydra's `now`).
OmegaConf.register_new_resolver("xner.fresh", claim_folder, replace=True, use_cache=True)
OmegaConf.register_new_resolver("xner.env", env_or, replace=True)
