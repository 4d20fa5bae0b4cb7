"""Check a composed config before any stage runs, so a typo fails in a second with the valid choices
instead of after an hour of translation and alignment."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from pathlib import Path
from typing import Any, Callable, Mapping

from omegaconf import DictConfig, ListConfig, OmegaConf

from xner.errors import ConfigError
from xner.options import check_fields, check_value, describe, hints
from xner.runtime.schemas import (DataOptions, ExperimentOptions, JoblibLauncherOptions, LoggerOptions, PathsOptions,
                                   RunOptions, SourceModelOptions, TrainerRanges)
from xner.runtime.paths import check_under_folders
from xner.runtime.targets import check_config_targets, raw, resolve_target

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"
Check = Callable[[DictConfig], Any]
COMPONENT_GROUPS = ("translator", "back_translator", "labeller", "aligner", "projector")
GROUP_SCHEMAS = {"data": DataOptions, "paths": PathsOptions, "logger": LoggerOptions, "source_model": SourceModelOptions}


def group_choices(group: str) -> list[str]:
    """The presets of a config group (`projector/candidates` -> aligned, ner, ngrams, union)."""
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml") if not p.stem.startswith("_"))


def plain(value: Any) -> Any:
    """A config value as plain Python (interpolations resolved)."""
    if isinstance(value, (DictConfig, ListConfig)):
        return OmegaConf.to_container(value, resolve=True)
    return value


def component_parameters(cls: type) -> tuple[dict[str, tuple[inspect.Parameter, Any]], bool]:
    """A component's options, declared by its constructor (and, through `**kwargs`, its bases'): name ->
    (parameter, annotation); and whether it takes any key (a `**kwargs` that reaches no declared base)."""
    found: dict[str, tuple[inspect.Parameter, Any]] = {}
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        if klass is object:  # no constructor of its own: it takes no options
            return found, False
        parameters = inspect.signature(init).parameters
        annotations = hints(init)
        for name, parameter in list(parameters.items())[1:]:
            if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                found.setdefault(name, (parameter, annotations.get(name, Any)))
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
            return found, False
    return found, True


def _allows_none(annotation: Any) -> bool:
    return annotation is Any or annotation is inspect.Parameter.empty or type(None) in typing.get_args(annotation) \
        or any(type(None) in typing.get_args(a) for a in typing.get_args(annotation))


def check_component(node: Any, where: str) -> None:
    """A `_target_` node: the class exists, every option is one of its parameters with a value its annotation
    allows, required ones are set; nested component nodes (candidates, scorer, scorers.*) are checked too."""
    if isinstance(node, (DictConfig, dict)) and "_target_" in node:
        target = resolve_target(raw(node, "_target_"), where)
        parameters, takes_any = component_parameters(target)
        keys = [str(k) for k in node.keys() if not str(k).startswith("_")]
        for key in keys:
            if key not in parameters and not takes_any:
                raise ConfigError(f"{where}: unknown option '{key}' for {target.__name__}", list(parameters))
        for name, (parameter, annotation) in parameters.items():
            if name in keys and isinstance(node, DictConfig) and OmegaConf.is_missing(node, name):
                raise ConfigError(f"config value '{where}.{name}' must be set (e.g. {where}.{name}=...)")
            value = node.get(name, inspect.Parameter.empty) if name in keys else inspect.Parameter.empty
            missing = value is inspect.Parameter.empty and parameter.default is inspect.Parameter.empty
            if missing or (value is None and parameter.default is inspect.Parameter.empty and not _allows_none(annotation)):
                group = f"{where.replace('.', '/')}/{name}"
                choices = group_choices(group)
                hint = f" (choose {group}=...)" if choices else f" (set {where}.{name}=...)"
                raise ConfigError(f"{where}: {target.__name__} needs '{name}'{hint}", choices or None)
            if value is not inspect.Parameter.empty:
                check_value(f"{where}.{name}", plain(value), annotation)
    if isinstance(node, (DictConfig, dict)):
        for key in node.keys():
            child = node.get(key)
            if isinstance(child, (DictConfig, dict, ListConfig, list)):
                check_component(child, f"{where}.{key}")
    elif isinstance(node, (ListConfig, list)):
        for index, child in enumerate(node):
            check_component(child, f"{where}[{index}]")


def trainer_options() -> dict[str, Any]:
    """Every Lightning Trainer option a config may set (its signature), with the ranges xner declares."""
    import pytorch_lightning as pl

    valid = set(inspect.signature(pl.Trainer).parameters) - {"callbacks", "logger", "default_root_dir", "self"}
    ranges = hints(TrainerRanges)
    return {name: ranges.get(name, Any) for name in sorted(valid)}


def check_trainer(trainer: DictConfig, where: str = "trainer") -> None:
    options = trainer_options()
    values = plain(trainer)
    for key, value in values.items():
        if str(key) not in options:
            raise ConfigError(f"{where}: unknown option '{key}' for the Lightning Trainer", list(options))
        check_value(f"{where}.{key}", value, options[str(key)])


def model_options() -> dict[str, Any]:
    """The `model` group's options: TaggerOptions plus TokenTagger's own parameters, name -> annotation."""
    from xner.models.tagger import TaggerOptions, TokenTagger

    tagger, _ = component_parameters(TokenTagger)
    options = {name: annotation for name, annotation in hints(TaggerOptions).items()}
    options.update({name: annotation for name, (_, annotation) in tagger.items() if name not in ("encoder", "tags")})
    return options


def check_model(model: Any, where: str = "model") -> None:
    values = plain(model)
    if values.get("name") in (None, "none"):
        return
    from xner.models.tagger import TaggerOptions

    options = model_options()
    for key, value in values.items():
        if str(key) not in options:
            raise ConfigError(f"{where}: unknown option '{key}'", list(options))
        check_value(f"{where}.{key}", value, options[str(key)])
    for field in dataclasses.fields(TaggerOptions):
        if field.name not in values:
            raise ConfigError(f"{where}: needs '{field.name}' ({describe(options[field.name])}); set {where}.{field.name}=...")


def check_datasets(node: Any, where: str) -> None:
    """Every `{dataset: ..., lang/split/pair: ...}` node names a registered corpus and valid fields."""
    from xner.data.registry import get_dataset

    if isinstance(node, DictConfig):
        if "dataset" in node and node.get("dataset") is None:
            raise ConfigError(f"{where}: no dataset (the language has no gold NER corpus in lang.ner); name one, e.g. "
                              f"{where}.dataset=panx {where}.lang=<ISO 639-3 code>")
        if "dataset" in node and isinstance(node.get("dataset"), str):
            spec = get_dataset(node.dataset)
            for field, allowed in spec.fields.items():
                values = str(node.get(field)).split("+") if field in node and node.get(field) is not None else []
                if any(value not in allowed for value in values):  # `split: dev+test` reads both, in order
                    raise ConfigError(f"{where}: dataset '{spec.name}' has no {field} '{node.get(field)}'", list(allowed))
        for key in node.keys():
            check_datasets(node.get(key), f"{where}.{key}")


def check_launcher(hydra: Any) -> None:
    """Hydra's joblib launcher (`hydra/launcher=local`): its options, before any job starts."""
    launcher = hydra.get("launcher") if hydra is not None else None
    if isinstance(launcher, DictConfig) and str(launcher.get("_target_", "")).endswith("JoblibLauncher"):
        values = {k: v for k, v in plain(launcher).items() if k != "_target_"}
        check_fields("hydra.launcher", values, JoblibLauncherOptions, required=True)


def validate(cfg: DictConfig, checks: Mapping[str, Check | None], schemas: Mapping[str, type] | None = None) -> None:
    """Raise ConfigError on the first problem; resolves interpolations (a missing value fails here too).
    `checks` maps each pipeline to its own extra check (or None) and `schemas` to its `experiment` options
    (ExperimentOptions where it declares none), both supplied by the experiments layer."""
    check_config_targets(cfg)  # before anything is resolved or imported
    pipeline = OmegaConf.select(cfg, "experiment.pipeline")
    if pipeline not in checks:
        raise ConfigError(f"unknown pipeline '{pipeline}' (set experiment=...)", list(checks))
    for group in ("paths", "data", "model", "trainer", "experiment"):
        if cfg.get(group) is not None:
            OmegaConf.to_container(cfg[group], resolve=True, throw_on_missing=True)
    check_fields("", {key: plain(cfg.get(key)) for key in ("seed", "threads") if key in cfg}, RunOptions, required=True)
    root = Path(str(cfg.paths.root_dir))
    for key in ("cache_dir", "states_dir", "models_dir"):
        folder = OmegaConf.select(cfg, f"paths.{key}")
        if folder:
            check_under_folders(f"paths.{key}", folder if Path(str(folder)).is_absolute() else root / str(folder))
    for group, schema in GROUP_SCHEMAS.items():
        if cfg.get(group) is not None:
            check_fields(group, plain(cfg[group]), schema, required=True)
    schema = (schemas or {}).get(pipeline) if schemas is not None else None
    check_fields("experiment", plain(cfg.experiment), schema or ExperimentOptions, required=True)
    try:
        check_datasets(cfg.data, "data")
    except ConfigError as error:
        hint = (f" for experiment={OmegaConf.select(cfg, 'experiment.name')}; name an experiment that fits "
                f"lang={OmegaConf.select(cfg, 'lang.code')} (see --help)")
        raise ConfigError(error.problem + hint, error.choices) from None
    trains = OmegaConf.select(cfg, "model.name") not in (None, "none")
    if cfg.get("trainer") is not None and trains:  # (importing Lightning to check costs seconds; only when it trains)
        check_trainer(cfg.trainer)
        overrides = OmegaConf.select(cfg, "source_model.trainer")
        if overrides:
            check_trainer(overrides, "source_model.trainer")
    if cfg.get("model") is not None:
        check_model(cfg.model)
        overrides = OmegaConf.select(cfg, "source_model.model")
        if overrides and trains:  # the source model's own options, over the model group (already checked)
            check_model({**plain(cfg.model), **plain(overrides)}, "source_model.model")
    for group in COMPONENT_GROUPS:
        node = cfg.get(group)
        if node is not None:
            check_component(node, group)
    corpora = OmegaConf.select(cfg, "source_model.corpora") or {}
    source_lang = OmegaConf.select(cfg, "source_model.lang")
    if source_lang is not None and str(source_lang) not in corpora:
        raise ConfigError(f"source_model.lang: no labelled NER corpus for '{source_lang}'", list(corpora))
    init = OmegaConf.select(cfg, "model.init_from")
    if init is not None and str(init) not in ("source", "ranked") and str(init) not in corpora:
        raise ConfigError(f"model.init_from: no source model for '{init}' (source_model.corpora, 'source' or 'ranked')",
                          list(corpora))
    for name, langs in (OmegaConf.select(cfg, "source_model.pools") or {}).items():
        unknown = [str(lang) for lang in langs if str(lang) not in corpora]
        if unknown:
            raise ConfigError(f"source_model.pools.{name}: no labelled NER corpus for {unknown} (source_model.corpora)", list(corpora))
    if "hydra" in cfg:
        check_launcher(cfg.hydra)
    check = checks[pipeline]
    if check is not None:
        check(cfg)


def _schema_options(prefix: str, schema: type) -> dict[str, Any]:
    """Dotted option -> annotation of a dataclass schema, nested schemas flattened."""
    found = {}
    for name, annotation in hints(schema).items():
        nested = [a for a in (annotation, *typing.get_args(annotation)) if isinstance(a, type) and dataclasses.is_dataclass(a)]
        if nested:
            found.update(_schema_options(f"{prefix}{name}.", nested[0]))
        else:
            found[f"{prefix}{name}"] = annotation
    return found


def _component_options(node: Any, where: str) -> dict[str, Any]:
    found = {}
    if isinstance(node, DictConfig) and "_target_" in node:
        parameters, _ = component_parameters(resolve_target(raw(node, "_target_"), where))
        found.update({f"{where}.{name}": annotation for name, (_, annotation) in parameters.items()})
    if isinstance(node, DictConfig):
        for key in node.keys():
            child = node._get_node(key)
            if isinstance(child, DictConfig):
                found.update(_component_options(child, f"{where}.{key}"))
    return found


def declared_options(cfg: DictConfig, schemas: Mapping[str, type]) -> dict[str, Any]:
    """Every option a composed config may set, dotted key -> its declared annotation (type, range, choices):
    what validation checks, listed (the generated bad-value test and `--help`-style listings read it)."""
    found = _schema_options("", RunOptions)
    for group, schema in GROUP_SCHEMAS.items():
        found.update(_schema_options(f"{group}.", schema))
    found.update(_schema_options("experiment.", schemas.get(OmegaConf.select(cfg, "experiment.pipeline")) or ExperimentOptions))
    for group in COMPONENT_GROUPS:
        if isinstance(cfg.get(group), DictConfig):
            found.update(_component_options(cfg[group], group))
    if OmegaConf.select(cfg, "model.name") not in (None, "none"):
        for prefix in ("", "source_model."):
            found.update({f"{prefix}model.{k}": v for k, v in model_options().items()})
            found.update({f"{prefix}trainer.{k}": v for k, v in trainer_options().items()})
    launcher = OmegaConf.select(cfg, "hydra.launcher")
    if isinstance(launcher, DictConfig) and str(launcher.get("_target_", "")).endswith("JoblibLauncher"):
        found.update(_schema_options("hydra.launcher.", JoblibLauncherOptions))
    return found
