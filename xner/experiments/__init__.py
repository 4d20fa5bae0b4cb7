"""Layer 7, experiments: one module per experiment (`run(ctx)` and an optional config `check`), named by `experiment.pipeline`."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from types import ModuleType

# pipeline -> module; a module is imported when its pipeline runs, so a Europarl run never pays for Lightning
MODULES = {
    "intrinsic_projection": "europarl_intrinsic",
    "alignment_eval": "alignment_eval",
    "translate_train": "translate_train",
    "translate_test": "translate_test",
    "supervised": "supervised",
    "model_transfer": "model_transfer",
    "projection": "projection",
    "teacher_student": "teacher_student",
}


class _Lazy(Mapping):
    """A read-only pipeline -> value mapping that imports an experiment module on first access."""

    def __init__(self, pick):
        self.pick = pick

    def __getitem__(self, pipeline: str):
        if pipeline not in MODULES:
            raise KeyError(pipeline)
        return self.pick(importlib.import_module(f"{__name__}.{MODULES[pipeline]}"))

    def __iter__(self) -> Iterator[str]:
        return iter(MODULES)

    def __len__(self) -> int:
        return len(MODULES)


EXPERIMENTS: Mapping[str, ModuleType] = _Lazy(lambda module: module)


def schemas() -> Mapping:
    """Each pipeline's `experiment` options (its module's `Options` dataclass), for the validator."""
    from xner.runtime.schemas import ExperimentOptions

    return _Lazy(lambda module: getattr(module, "Options", ExperimentOptions))


def checks() -> Mapping:
    """Each pipeline's own config check (None where it has none), for the validator; imports only what is asked."""
    return _Lazy(lambda module: getattr(module, "check", None))
