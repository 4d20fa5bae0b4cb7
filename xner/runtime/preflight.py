"""Vet the command line's config before Hydra acts on it: Hydra instantiates `hydra.callbacks` and applies
the logging configs before any xner code runs, so their targets are checked on a composition of our own."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

from xner.runtime.targets import check_config_targets

log = logging.getLogger(__name__)
MAX_VARIANTS = 64  # sweep values composed one by one (group choices and values naming a target)


def _variants(overrides: list[str], conf_dir: Path) -> list[list[str]]:
    """The fixed overrides, then one list per sweep value that could bring a `_target_` in."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides)
    fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    variants = [fixed]
    for override in parsed:
        if not override.is_sweep_override():
            continue
        key = override.get_key_element().lstrip("+~")
        try:
            values = list(override.sweep_string_iterator())
        except Exception:  # interval sweeps (optimisers): plain numbers
            continue
        if (conf_dir / key.split("@")[0]).is_dir() or "_target_" in override.input_line or "()" in override.input_line \
                or key.startswith("hydra"):
            variants += [fixed + [f"{override.get_key_element()}={value}"] for value in values]
    return variants[:MAX_VARIANTS]


def check_command_line(argv: Sequence[str], conf_dir: str, config_name: str) -> None:
    """Raise ConfigError if the config these arguments compose names a target a config may not name.
    Arguments Hydra itself will refuse (bad syntax, unknown groups) are left to Hydra's own message."""
    from hydra import compose, initialize_config_dir
    from hydra._internal.utils import get_args_parser
    from hydra.core.global_hydra import GlobalHydra

    try:
        args = get_args_parser().parse_args(list(argv))
    except SystemExit:
        return
    if args.help or args.hydra_help or args.shell_completion:
        return
    overrides = list(args.overrides or [])
    if args.config_dir:
        overrides.append(f"hydra.searchpath=[file://{Path(args.config_dir).resolve()}]")
    try:
        variants = _variants(overrides, Path(conf_dir))
    except Exception:  # Hydra reports unparsable overrides itself
        return
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    for variant in variants:
        try:
            with initialize_config_dir(config_dir=conf_dir, version_base="1.3", job_name="xner"):
                cfg = compose(args.config_name or config_name, overrides=variant, return_hydra_config=True)
        except Exception as error:  # a composition error: Hydra will say it in its own words
            log.debug("pre-flight composition failed: %s", error)
            return
        check_config_targets(cfg)
