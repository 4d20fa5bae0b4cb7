"""A study is config (`conf/study/<name>.yaml`): the question in one sentence, the grid of jobs (languages x
experiment presets x seeds x any swept option), the fixed overrides, the baseline and headline metric that answer
it, and its budget. Language sets are named once (`conf/study/_sets.yaml`) and referred to as `${sets.NAME}`."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from omegaconf import OmegaConf

from xner.errors import ConfigError, InputError
from xner.options import Positive, PositiveFloat, check_fields

SETS_FILE = "_sets.yaml"
DEFAULT_JOB_MINUTES = 30.0  # a job's estimate when neither the study's budget nor a finished job says otherwise
DEFAULT_SOURCE_MINUTES = 0.0  # source-model training is counted only where a study's budget names it (CPU minutes)


@dataclass
class BudgetOptions:
    """What the study costs: per-job estimates in minutes by method value (`default` for the rest), and a note."""

    job_minutes: Mapping[str, PositiveFloat] = field(default_factory=dict)
    source_minutes: Mapping[str, PositiveFloat] = field(default_factory=dict)  # by source language, `default`
    note: str = ""


@dataclass
class StudyOptions:
    """The keys a study file may hold."""

    question: str
    grid: Mapping[str, list]
    headline: str = "test/f1"
    rows: str = "lang"
    baseline: Mapping[str, Any] = field(default_factory=dict)
    contrasts: list = field(default_factory=list)  # more pairs to compare: [{key: [value, other value]}, ...]
    diagnostics: list = field(default_factory=list)  # metrics tabulated beside the results (what may explain a row)
    contenders: Mapping[str, list] = field(default_factory=dict)  # {key: [values]}: which of them is best, row by row
    overrides: list = field(default_factory=list)
    x: str | None = None            # a numeric grid key the report plots against (a scaling study)
    x_label: str | None = None
    resamples: Positive = 1000
    budget: BudgetOptions = field(default_factory=BudgetOptions)
    notes: str = ""                 # what a reader should know about the settings (shown on the page)
    sets: Mapping[str, list] = field(default_factory=dict)


def render(value: Any) -> str:
    """A grid value as Hydra override text: null, true/false, [a,b] for lists."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(render(v) for v in value) + "]"
    return str(value)


@dataclass(frozen=True)
class Point:
    """One cell of the grid: (key, rendered value) pairs in grid order."""

    items: tuple[tuple[str, str], ...]

    def get(self, key: str, default: str | None = None) -> str | None:
        return dict(self.items).get(key, default)

    def overrides(self) -> list[str]:
        return [f"{key}={value}" for key, value in self.items]

    def label(self, without: tuple[str, ...] = ()) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.items if k not in without) or "all"

    def as_dict(self) -> dict[str, str]:
        return dict(self.items)


@dataclass
class Study:
    name: str
    path: Path
    question: str
    grid: dict[str, list[str]]
    headline: str
    rows: str
    baseline: dict[str, str]
    overrides: list[str]
    x: str | None
    x_label: str | None
    resamples: int
    job_minutes: dict[str, float]
    budget_note: str
    notes: str
    contrasts: list[dict[str, tuple[str, str]]] = field(default_factory=list)
    source_minutes: dict[str, float] = field(default_factory=dict)
    diagnostics: list[str] = field(default_factory=list)
    contenders: dict[str, list[str]] = field(default_factory=dict)

    @property
    def method_keys(self) -> tuple[str, ...]:
        """Grid keys that make a method: all but the rows key and seed."""
        return tuple(k for k in self.grid if k not in (self.rows, "seed"))

    def points(self, only: Mapping[str, list[str]] | None = None) -> list[Point]:
        """The grid's cells in order (rows key outermost), those matching every `only` key when given."""
        only = only or {}
        for key in only:
            if key not in self.grid:
                raise ConfigError(f"--only {key}=...: not a grid key of study '{self.name}'", list(self.grid))
            unknown = [v for v in only[key] if v not in self.grid[key]]
            if unknown:
                raise ConfigError(f"--only {key}={','.join(unknown)}: not in the grid of study '{self.name}'", self.grid[key])
        keys = list(self.grid)
        cells = []
        for values in itertools.product(*(self.grid[k] for k in keys)):
            point = Point(tuple(zip(keys, values)))
            if all(point.get(k) in allowed for k, allowed in only.items()):
                cells.append(point)
        return cells

    def method(self, point: Point) -> str:
        return point.label(without=(self.rows, "seed"))

    def is_baseline(self, point: Point) -> bool:
        return bool(self.baseline) and all(point.get(k) == v for k, v in self.baseline.items())

    def estimate_minutes(self, point: Point) -> float:
        """The study's own estimate for a job: the first `budget.job_minutes` key naming one of its values."""
        values = set(point.as_dict().values()) | {f"{k}={v}" for k, v in point.items}
        for key, minutes in self.job_minutes.items():
            if key in values:
                return float(minutes)
        return float(self.job_minutes.get("default", DEFAULT_JOB_MINUTES))

    def scaled(self, factor: float) -> "Study":
        """The study with its budget's minutes times `factor` (budgets are CPU minutes: e.g. 0.1 on a GPU machine);
        times recorded by finished jobs are what they are and are not scaled."""
        if not (isinstance(factor, (int, float)) and math.isfinite(factor) and factor > 0):
            raise ConfigError(f"--time-scale {factor}: a factor > 0 for the study's budget minutes (e.g. 0.1 on a GPU)")
        if factor == 1:
            return self
        jobs = {"default": DEFAULT_JOB_MINUTES, **self.job_minutes}
        sources = {"default": DEFAULT_SOURCE_MINUTES, **self.source_minutes}
        return replace(self, job_minutes={k: v * factor for k, v in jobs.items()},
                       source_minutes={k: v * factor for k, v in sources.items()})

    def source_estimate(self, language: str) -> float:
        """Minutes to train one source model (teacher) of `language` once: `budget.source_minutes` (by language: a
        capped model, `en[:5716]`, is estimated as its language's; the plan passes the language)."""
        return float(self.source_minutes.get(language, self.source_minutes.get("default", DEFAULT_SOURCE_MINUTES)))


def study_path(name: str, conf_dir: str | Path) -> Path:
    """`conf/study/<name>.yaml`, or a YAML file named by path (a study of one's own)."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml"):
        if not candidate.is_file():
            raise InputError(candidate, "no such study file")
        return candidate
    path = Path(conf_dir) / "study" / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in (Path(conf_dir) / "study").glob("*.yaml") if not p.stem.startswith("_"))
        raise ConfigError(f"no study '{name}' in {Path(conf_dir) / 'study'}", known)
    return path


def _load_yaml(path: Path) -> Any:
    try:
        return OmegaConf.load(path)
    except Exception as error:  # YAML syntax: one line naming the file
        raise InputError(path, f"not valid YAML ({str(error).splitlines()[0]})") from None


def load(name: str, conf_dir: str | Path) -> Study:
    """The study file with its language sets resolved; every key checked (type, known keys, grid lists)."""
    path = study_path(name, conf_dir)
    raw = _load_yaml(path)
    sets_path = Path(conf_dir) / "study" / SETS_FILE
    sets = _load_yaml(sets_path) if sets_path.is_file() else OmegaConf.create({})
    if not OmegaConf.is_dict(raw):
        raise InputError(path, "a study file is a mapping (question, grid, headline, ...)")
    if "sets" in raw:
        raise InputError(path, f"'sets' are named once, in {sets_path}")
    merged = OmegaConf.merge({"sets": sets}, raw)
    try:
        values = OmegaConf.to_container(merged, resolve=True)
    except Exception as error:  # an unknown ${sets.X}
        raise InputError(path, f"cannot resolve: {str(error).splitlines()[0]} (sets: {', '.join(sets) or 'none'})") from None
    budget = values.get("budget") or {}
    try:
        check_fields("", {k: v for k, v in values.items() if k != "budget"}, StudyOptions, required=True)
        check_fields("budget", budget, BudgetOptions)
    except ConfigError as error:
        raise InputError(path, str(error)) from None
    grid = values["grid"]
    if not grid:
        raise InputError(path, "grid: empty (give at least one key with a list of values)")
    for key, options in grid.items():
        if not isinstance(options, list) or not options:
            raise InputError(path, f"grid.{key}: a non-empty list of values, got {options!r}")
    rendered = {key: [render(v) for v in options] for key, options in grid.items()}
    for key, options in rendered.items():
        if len(set(options)) != len(options):
            raise InputError(path, f"grid.{key}: a value is listed twice")
    rows = values.get("rows", "lang")
    if rows not in rendered:
        raise InputError(path, f"rows: '{rows}' is not a grid key", )
    baseline = {k: render(v) for k, v in (values.get("baseline") or {}).items()}
    for key, value in baseline.items():
        if key not in rendered or value not in rendered[key]:
            raise InputError(path, f"baseline: {key}={value} is not in the grid")
    contrasts = []
    for number, contrast in enumerate(values.get("contrasts") or [], 1):
        if not isinstance(contrast, dict) or not contrast:
            raise InputError(path, f"contrasts[{number}]: a mapping key: [value, other value], got {contrast!r}")
        pairs = {}
        for key, pair in contrast.items():
            if key not in rendered or key in (rows, "seed"):
                raise InputError(path, f"contrasts[{number}]: '{key}' is not a method key of the grid")
            if not isinstance(pair, list) or len(pair) != 2:
                raise InputError(path, f"contrasts[{number}].{key}: two grid values [value, other value], got {pair!r}")
            a, b = render(pair[0]), render(pair[1])
            if a == b or a not in rendered[key] or b not in rendered[key]:
                raise InputError(path, f"contrasts[{number}].{key}: {a} and {b} must be two different grid values")
            pairs[key] = (a, b)
        contrasts.append(pairs)
    diagnostics = values.get("diagnostics") or []
    for number, metric in enumerate(diagnostics, 1):
        if not isinstance(metric, str) or not metric.strip():
            raise InputError(path, f"diagnostics[{number}]: a metric name (e.g. teach/agreement), got {metric!r}")
    contenders = {}
    for key, options in (values.get("contenders") or {}).items():
        if key not in rendered or key in (rows, "seed"):
            raise InputError(path, f"contenders: '{key}' is not a method key of the grid")
        if not isinstance(options, list) or len(options) < 2 or any(render(v) not in rendered[key] for v in options):
            raise InputError(path, f"contenders.{key}: two or more values of grid.{key}, got {options!r}")
        contenders[key] = [render(v) for v in options]
    if len(contenders) > 1:
        raise InputError(path, "contenders: one method key (the methods that compete, e.g. {experiment: [a, b, c]})")
    x = values.get("x")
    if x is not None and x not in rendered:
        raise InputError(path, f"x: '{x}' is not a grid key")
    overrides = [str(o) for o in values.get("overrides") or []]
    for override in overrides:
        if "=" not in override or override.split("=", 1)[0].lstrip("+~") in rendered:
            raise InputError(path, f"overrides: '{override}' is not key=value for a key outside the grid")
    return Study(path.stem, path, str(values["question"]).strip(), rendered, str(values.get("headline", "test/f1")), rows,
                 baseline, overrides, x, values.get("x_label"), int(values.get("resamples", 1000)),
                 {str(k): float(v) for k, v in (budget.get("job_minutes") or {}).items()}, str(budget.get("note", "")).strip(),
                 str(values.get("notes", "")).strip(), contrasts,
                 {str(k): float(v) for k, v in (budget.get("source_minutes") or {}).items()}, [m.strip() for m in diagnostics], contenders)


def parse_only(items: list[str]) -> dict[str, list[str]]:
    """`--only lang=swa,hau --only seed=1` as {key: values}."""
    only: dict[str, list[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise ConfigError(f"--only {item}: expected key=value[,value...]")
        only.setdefault(key, []).extend(v for v in value.split(",") if v)
    return only
