"""Build components from their `_target_` config, turning Hydra's wrapped errors into one-liners."""

from __future__ import annotations

from typing import Any

from hydra.errors import InstantiationException
from hydra.utils import instantiate
from omegaconf import DictConfig

from xner.errors import ConfigError, XnerError
from xner.runtime.targets import check_target_name, target_nodes


def build(node: DictConfig, group: str) -> Any:
    """Instantiate the component configured in `group` (translator, aligner, projector, ...)."""
    if node is None or "_target_" not in node:
        raise ConfigError(f"config group '{group}' has no component (_target_) for this experiment")
    for where, target in target_nodes(node, group):  # nested ones too (candidates, scorers): before any import
        check_target_name(target, where)
    try:
        return instantiate(node, _convert_="all")
    except InstantiationException as error:
        cause = error.__cause__
        if isinstance(cause, XnerError):
            raise cause from None
        if isinstance(cause, TypeError):
            raise ConfigError(f"{group}: {cause}") from None
        raise ConfigError(f"{group}: cannot build {node._target_}: {cause or error}") from None
