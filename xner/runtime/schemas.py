"""What the run-level config groups accept (types and ranges; the YAML in conf/ holds the defaults). Components
declare their options in their constructors' signatures, the model in TokenTagger + TaggerOptions, each
pipeline in its experiment module's `Options`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, Mapping, Sequence

from xner.options import Count, Positive, PositiveFloat, Range, Unchecked


@dataclass
class ExperimentOptions:
    """Every experiment: its name, pipeline, run label and the metric printed at the end."""

    name: str
    pipeline: str
    label: str
    headline_metric: str


@dataclass
class Labels:
    keep: Sequence[str]
    rename: Mapping[str, str]


@dataclass
class ProjectedFilter:
    unprojected: bool
    max_length_ratio: Annotated[float, Range(1)] | None


@dataclass
class DataOptions:
    """The `data` group: which corpora (dataset nodes, checked against the registry), how many sentences, labels."""

    name: str
    labels: Labels
    repair_iob: bool
    max_sentences: Positive | None
    download: bool
    source: Unchecked = None
    target: Unchecked = None
    parallel: Unchecked = None
    pair: str | None = None
    strict_gold: bool = False
    fix_mojibake: bool = False
    dev_sentences: Count | Annotated[float, Range(0, 1, hi_open=True)] | None = None
    filter: ProjectedFilter | None = None
    exclude_eval: bool = False


@dataclass
class PathsOptions:
    root_dir: str
    data_dir: str | None
    cache_dir: str
    use_cache: bool
    states_dir: str | None
    models_dir: str


@dataclass
class LoggerOptions:
    enabled: bool
    tracking_uri: str | None
    experiment_name: str


@dataclass
class SourceModelOptions:
    """The shared source-language NER model (`model` and `trainer` are options of those groups, checked there)."""

    lang: str | None
    seed: Count | None
    max_sentences: Positive | None
    max_dev_sentences: Positive | None
    model: dict
    trainer: dict
    corpora: Mapping[str, Unchecked]
    pools: Mapping[str, Sequence[str]] | None = None


@dataclass
class TrainerRanges:
    """Ranges of the Lightning Trainer options xner's presets set (Lightning's signature names the rest)."""

    max_epochs: Annotated[int, Range(-1)] | None = None
    min_epochs: Count | None = None
    max_steps: Annotated[int, Range(-1)] = -1
    min_steps: Count | None = None
    devices: Positive | Literal["auto"] | Sequence[int] | str = "auto"
    accelerator: Literal["auto", "cpu", "gpu", "cuda", "mps", "tpu"] | str = "auto"
    precision: Literal["32-true", "32", "16-mixed", "bf16-mixed", "bf16-true", "16-true", "64-true"] | Literal[32, 16, 64] = "32-true"
    enable_progress_bar: bool | None = None
    fast_dev_run: bool | Positive = False
    num_sanity_val_steps: Annotated[int, Range(-1)] | None = None
    accumulate_grad_batches: Positive = 1
    log_every_n_steps: Positive | None = None
    check_val_every_n_epoch: Positive | None = 1
    val_check_interval: PositiveFloat | None = None
    gradient_clip_val: Annotated[float, Range(0)] | None = None
    deterministic: bool | Literal["warn"] | None = None


@dataclass
class RunOptions:
    """Top-level scalars."""

    seed: Count
    threads: Positive | None


@dataclass
class JoblibLauncherOptions:
    """`hydra/launcher=local` (joblib): how many jobs at once (-1: one per core)."""

    n_jobs: Positive | Annotated[int, Range(hi=-1)] | None
    backend: Literal["loky", "multiprocessing", "threading"] | None = None
    prefer: Literal["processes", "threads"] | None = "processes"
    require: Literal["sharedmem"] | None = None
    verbose: Count = 0
    timeout: PositiveFloat | None = None
    pre_dispatch: str = "2*n_jobs"
    batch_size: Positive | Literal["auto"] = "auto"
    temp_folder: str | None = None
    max_nbytes: Any = None
    mmap_mode: Literal["r+", "r", "w+", "c"] | None = "r"
