"""Which `_target_` a config may name: classes defined in xner, plus the module prefixes a user lists in
$XNER_ALLOWED_TARGETS for their own components. Checked on the name, before anything is imported."""

from __future__ import annotations

import importlib
import inspect
import os
from typing import Any, Iterator

from omegaconf import DictConfig, ListConfig

from xner.errors import ConfigError

ALLOW_ENV = "XNER_ALLOWED_TARGETS"
BUILTIN_PREFIXES = ("xner",)
PLUGIN_PREFIXES = ("hydra._internal.core_plugins", "hydra_plugins")  # Hydra's launchers and sweepers
LOGGING_PREFIXES = ("logging",)  # what a logging config may construct (handlers, formatters, filters)


def allowed_prefixes() -> tuple[str, ...]:
    """xner plus the comma-separated module prefixes in $XNER_ALLOWED_TARGETS (e.g. `mylab.components`)."""
    extra = [p.strip().rstrip(".") for p in os.environ.get(ALLOW_ENV, "").replace(":", ",").split(",")]
    return BUILTIN_PREFIXES + tuple(p for p in extra if p)


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def check_target_name(target: Any, where: str, prefixes: tuple[str, ...] | None = None) -> str:
    """The target's dotted name if a config may name it; ConfigError otherwise (nothing imported)."""
    prefixes = allowed_prefixes() if prefixes is None else prefixes
    name = str(target)
    if not isinstance(target, str) or not _under(name, prefixes):
        raise ConfigError(f"{where}._target_: '{name}' is not an xner component; a config may name only classes in "
                          f"{', '.join(p + '.*' for p in prefixes)} (add your own modules to ${ALLOW_ENV})")
    return name


def resolve_target(target: Any, where: str, prefixes: tuple[str, ...] | None = None, key: str = "._target_") -> type:
    """The class an allowed `_target_` names; imports only modules under an allowed prefix, and refuses
    anything but a class defined there (a function, a module attribute bound to a foreign class)."""
    prefixes = allowed_prefixes() if prefixes is None else prefixes
    name = check_target_name(target, where, prefixes)
    module_name, _, attribute = name.rpartition(".")
    try:
        obj = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError):
        raise ConfigError(f"{where}{key}: no component '{name}' (check the module and class name)") from None
    if not inspect.isclass(obj) or not _under(str(obj.__module__), prefixes):
        raise ConfigError(f"{where}{key}: '{name}' is not a class defined in "
                          f"{', '.join(p + '.*' for p in prefixes)}; a config may name only classes")
    return obj


def raw(node: Any, key: Any) -> Any:
    """A child without resolving interpolations (a `${...}` target stays a string and is refused as one)."""
    if not isinstance(node, (DictConfig, ListConfig)):
        return node[key]
    child = node._get_node(key)
    return child if isinstance(child, (DictConfig, ListConfig)) else child._value()


def target_nodes(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    """(location, value) of every `_target_` in a config tree."""
    if isinstance(node, (DictConfig, dict)):
        for key in node.keys():
            child = raw(node, key)
            if str(key) == "_target_":
                yield where, child
            elif isinstance(child, (DictConfig, dict, ListConfig, list)):
                yield from target_nodes(child, f"{where}.{key}" if where else str(key))
    elif isinstance(node, (ListConfig, list)):
        for index in range(len(node)):
            yield from target_nodes(raw(node, index), f"{where}[{index}]")


def logging_factories(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    """(location, value) of every callable a logging dictConfig would import: `()` and handler `class` keys."""
    if isinstance(node, (DictConfig, dict)):
        for key in node.keys():
            child = raw(node, key)
            if str(key) in ("()", "class") and not isinstance(child, (DictConfig, dict, ListConfig, list)):
                yield f"{where}.{key}", child
            elif isinstance(child, (DictConfig, dict, ListConfig, list)):
                yield from logging_factories(child, f"{where}.{key}")


def check_config_targets(cfg: DictConfig) -> None:
    """Every `_target_` in a composed config (Hydra's callbacks included) must name a class defined in xner
    (or $XNER_ALLOWED_TARGETS), and every factory its logging configs name a class in logging.* (or those);
    Hydra's launcher and sweeper must be Hydra plugin classes."""
    for where, value in target_nodes(cfg, ""):
        plugin = where in ("hydra.launcher", "hydra.sweeper")
        resolve_target(value, where, PLUGIN_PREFIXES + allowed_prefixes() if plugin else None)
    hydra = cfg.get("hydra") if isinstance(cfg, DictConfig) and "hydra" in cfg else None
    if hydra is not None:
        for group in ("job_logging", "hydra_logging"):
            for where, value in logging_factories(hydra.get(group), f"hydra.{group}"):
                prefixes = LOGGING_PREFIXES + allowed_prefixes()
                if not isinstance(value, str) or not _under(value, prefixes):
                    raise ConfigError(f"{where}: '{value}' is not a logging class; a logging config may name only "
                                      f"logging.* (or modules in ${ALLOW_ENV})")
                resolve_target(value, where, prefixes, key="")
