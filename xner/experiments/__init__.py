"""Layer 7, experiments: one module per experiment (`run(ctx)` and an optional config `check`), named by `experiment.pipeline`."""

from __future__ import annotations

from types import ModuleType

from xner.experiments import (
    alignment_eval,
    europarl_intrinsic,
    model_transfer,
    projection,
    supervised,
    teacher_student,
    translate_test,
    translate_train,
)

EXPERIMENTS: dict[str, ModuleType] = {
    "intrinsic_projection": europarl_intrinsic,
    "alignment_eval": alignment_eval,
    "translate_train": translate_train,
    "translate_test": translate_test,
    "supervised": supervised,
    "model_transfer": model_transfer,
    "projection": projection,
    "teacher_student": teacher_student,
}


def checks() -> dict:
    """Each pipeline's own config check (None where it has none), for the validator."""
    return {name: getattr(module, "check", None) for name, module in EXPERIMENTS.items()}
