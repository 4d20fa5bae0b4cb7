"""Vet the command line before Hydra acts on it: Hydra instantiates `hydra.callbacks`, applies the logging
configs and creates the run folder before any xner code runs, so the config Hydra will compose (same search
path, `-cp`, `-cn`, `--config-dir`) is composed here first, its targets vetted and every option validated.
Fails closed: a config that cannot be composed is refused here, in one line."""

from __future__ import annotations

import logging
import os
import re
from typing import Any, Callable, Mapping, Sequence

from omegaconf import DictConfig, OmegaConf

from xner.errors import ConfigError, XnerError
from xner.runtime.paths import check_under_folders
from xner.runtime.targets import check_config_targets

log = logging.getLogger(__name__)
MAX_VARIANTS = 64  # sweep values composed one by one (each value of each swept option, not their product)
_FRESH = re.compile(r"^\$\{xner\.fresh:(.*)\}$")


def one_line(error: BaseException) -> str:
    """Hydra's (multi-line) message as one line."""
    text = str(error).split("\nConfig search path:")[0]
    text = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return re.sub(r"\s+", " ", text) or type(error).__name__


def _sweeps(overrides: list[str]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(fixed overrides, [(key, values)] of each sweep override)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides)
    fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    swept = []
    for override in parsed:
        if override.is_sweep_override():
            try:
                values = list(override.sweep_string_iterator())
            except Exception:  # interval sweeps (optimisers): plain numbers, checked by the job itself
                continue
            swept.append((override.get_key_element(), values))
    return fixed, swept


def _sweeper_params(cfg: DictConfig) -> list[str]:
    """`hydra.sweeper.params` of a composed config (a sweep preset) as override strings."""
    params = OmegaConf.select(cfg, "hydra.sweeper.params")
    if not isinstance(params, DictConfig):
        return []
    return [f"{key}={OmegaConf.to_container(params, resolve=False)[key]}" for key in params.keys()]


def check_output_dir(cfg: DictConfig, multirun: bool) -> None:
    """The folder Hydra will create (hydra.run.dir or hydra.sweep.dir) must not lie under a regular file."""
    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    node = OmegaConf.select(cfg, key.rsplit(".", 1)[0])
    child = node._get_node("dir") if isinstance(node, DictConfig) else None  # (`in` would resolve it)
    if child is None:
        return
    text = str(child._value())
    match = _FRESH.match(text)  # resolving `xner.fresh` would claim the folder: resolve what it wraps
    probe = OmegaConf.create({"probe": match.group(1) if match else text})
    probe._set_parent(cfg)
    try:
        folder = str(probe.probe)
    except Exception:
        return
    check_under_folders(key, folder)


def check_command_line(argv: Sequence[str], task_function: Callable, config_path: str, config_name: str,
                       validate: Callable[[DictConfig], Any] | None = None) -> None:
    """Raise ConfigError if these arguments compose a config Hydra cannot compose, one that names a target a
    config may not name, or one `validate` refuses (each sweep value on its own)."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra._internal.utils import (create_automatic_config_search_path, detect_calling_file_or_module_from_task_function,
                                       get_args_parser)
    from hydra.core.utils import setup_globals
    from hydra.types import RunMode

    try:
        args = get_args_parser().parse_args(list(argv))
    except SystemExit:
        return  # argparse has printed its usage line
    if args.experimental_rerun is not None:
        raise ConfigError("--experimental-rerun is not supported: it unpickles a file, which can run code; "
                          "rerun a job from its .hydra/overrides.yaml instead")
    if args.help or args.hydra_help or args.shell_completion or args.info:
        return
    setup_globals()  # Hydra's resolvers (now, hydra) as its own run registers them
    try:
        calling_file, calling_module = detect_calling_file_or_module_from_task_function(task_function)
        search_path = create_automatic_config_search_path(calling_file, calling_module,
                                                          args.config_path if args.config_path is not None else config_path)
        if args.config_dir is not None:
            from hydra.core.config_search_path import SearchPathQuery

            folder = os.path.abspath(args.config_dir)
            if not os.path.isdir(folder):
                raise ConfigError(f"--config-dir: {folder} is not a folder")
            search_path.prepend(provider="command-line", path=f"file://{folder}", anchor=SearchPathQuery(provider="schema"))
        loader = ConfigLoaderImpl(config_search_path=search_path)
        name = args.config_name if args.config_name is not None else config_name
        fixed, swept = _sweeps(list(args.overrides or []))
        if swept and not args.multirun:
            raise ConfigError(f"{swept[0][0]}: a list of values sweeps only with -m (--multirun)")

        def compose(overrides: list[str]) -> DictConfig:
            return loader.load_configuration(config_name=name, overrides=overrides, run_mode=RunMode.RUN, from_shell=True)

        base = compose(fixed)
        check_config_targets(base)
        if args.multirun:
            preset_fixed, preset_swept = _sweeps(_sweeper_params(base))
            given = {key for key, _ in swept} | {o.split("=", 1)[0] for o in fixed}
            swept += [(key, values) for key, values in preset_swept if key not in given]
            fixed_extra = [o for o in preset_fixed if o.split("=", 1)[0] not in given]
            base = compose(fixed + fixed_extra) if fixed_extra else base
            fixed = fixed + fixed_extra
        check_output_dir(base, bool(args.multirun))
        variants = [base]
        for key, values in swept:
            for value in values:
                if len(variants) >= MAX_VARIANTS:
                    break
                cfg = compose([o for o in fixed if o.split("=", 1)[0] != key] + [f"{key}={value}"])
                check_config_targets(cfg)
                variants.append(cfg)
        if validate is not None and args.cfg is None:
            for cfg in variants:
                validate(cfg)
    except XnerError:
        raise
    except Exception as error:  # Hydra's composition errors (unknown group, bad override syntax, missing config)
        raise ConfigError(one_line(error)) from None
    log.debug("pre-flight: %d composition(s) checked", len(variants))


def experiment_validator(checks: Mapping, schemas: Mapping) -> Callable[[DictConfig], None]:
    """`validate` with the experiments layer's checks and schemas, as preflight calls it."""
    from xner.runtime.session import config_errors
    from xner.runtime.validate import validate

    def run(cfg: DictConfig) -> None:
        with config_errors():
            validate(cfg, checks, schemas)
    return run
