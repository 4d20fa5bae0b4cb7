"""A study's jobs, each identified by its resolved config: the grid composed job by job (vetted and validated as
`xner.run` would), hashed without what only says where outputs go, and matched against the study folder, so a
finished job is never rerun and an interrupted study resumes where it stopped."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import statistics
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

import yaml
from omegaconf import DictConfig, OmegaConf

from xner.errors import ConfigError, XnerError
from xner.io import stable_hash, write_json_atomic
from xner.runtime import sweeps
from xner.study.spec import Point, Study

NOT_IDENTITY = ("hydra", "paths", "logger", "threads")  # where outputs go and how fast: not what a job computes
RUNTIME_KEY = "runtime"  # a component's inference runtime (torch, ONNX Runtime): how fast, not what it computes
PLAN_FILE = "plan.json"
CHUNKS_FILE = "chunks.jsonl"
RETIRED_DIR = ".retired"  # folders of jobs retired by `study retire` (results of code since fixed)


def identity(cfg: DictConfig) -> dict:
    """What identifies a job: its composed config (interpolations unresolved, so the same on every machine and data
    root) without hydra, paths, logger, threads and the components' inference runtimes."""
    container = OmegaConf.to_container(cfg, resolve=False)

    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != RUNTIME_KEY}
        return [strip(v) for v in node] if isinstance(node, list) else node

    return strip({k: v for k, v in container.items() if k not in NOT_IDENTITY})


def job_id(cfg: DictConfig) -> str:
    """The job's identity as a short hash of `identity(cfg)`."""
    return stable_hash(identity(cfg))


def flat(node, prefix: str = "") -> dict[str, object]:
    """A nested config as dotted key -> leaf value (lists are leaves)."""
    if isinstance(node, dict) and node:
        out: dict[str, object] = {}
        for key, value in node.items():
            out.update(flat(value, f"{prefix}{key}."))
        return out
    return {prefix[:-1]: node}


def config_changes(old: dict, new: dict) -> tuple[list[str], list[str]]:
    """(added keys, changed or removed keys) from an old job identity to a new one, dotted."""
    before, after = flat(old), flat(new)
    added = sorted(k for k in after if k not in before and not any(k.startswith(b + ".") for b in before))
    changed = sorted(k for k in before if after.get(k, object()) != before[k]
                     and not (before[k] in ({}, None) and any(a.startswith(k + ".") for a in after)))
    return added, changed


@dataclass
class Job:
    id: str
    point: dict[str, str]
    method: str
    row: str
    seed: str | None
    overrides: list[str]
    extras: list[str] = field(default_factory=list)
    estimate_minutes: float = 0.0
    sources: list[str] = field(default_factory=list)  # the source models (languages) it trains or reuses
    source_minutes: dict[str, float] = field(default_factory=dict)  # each one's training, if this job trains it


def source_label(lang: str, limit: int | None = None) -> str:
    """A source model's name in a plan: its language, with its training cap where one is set (`en[:5716]`), since a
    capped model is another model (its own cache entry and training time)."""
    return f"{lang}[:{limit}]" if limit else str(lang)


def job_sources(cfg: DictConfig) -> dict[str, str]:
    """The source-language NER models a job needs (its labeller / model-transfer model and any teachers): each one's
    `source_label` -> its language."""
    from xner.stages.ner import needs_source_model, source_language
    from xner.stages.start import start_language
    from xner.stages.teachers import teacher_languages, transfer_sources

    if OmegaConf.select(cfg, "source_model", default=None) is None:
        return []
    pipeline = OmegaConf.select(cfg, "experiment.pipeline", default=None)
    init = start_language(cfg)
    found = {init} if init else set()
    if pipeline == "teacher_student":
        found |= set(teacher_languages(cfg))
        if float(OmegaConf.select(cfg, "experiment.projection_weight", default=0) or 0) > 0:
            found.add(source_language(cfg))
    elif pipeline == "model_transfer":
        found |= set(transfer_sources(cfg))
    elif needs_source_model(cfg):
        found.add(source_language(cfg))
    limit = OmegaConf.select(cfg, "source_model.max_sentences", default=None)
    return {source_label(lang, limit): str(lang) for lang in sorted(found)}


def warm_first(todo: Sequence[Job], size: int) -> list[Job]:
    """`todo` with, first, one job per source model not in the stage cache (the quickest such job), so a
    launcher running `size` jobs at once trains every source model at the same time, once, before the jobs that
    reuse them; the rest keeps plan order. With one job at a time the order is unchanged."""
    if size <= 1:
        return list(todo)
    first: list[Job] = []
    covered: set[str] = set()
    for job in sorted(todo, key=lambda j: (-len(set(j.sources) - covered), j.estimate_minutes)):
        if set(job.sources) - covered and len(first) < size:
            first.append(job)
            covered |= set(job.sources)
    return first + [job for job in todo if job not in first]


def slots(cores: int, ram_mb: float, gpu_mb: float | None, job_rss_mb: float, job_gpu_mb: float,
          threads: int = 1) -> tuple[int, str]:
    """How many jobs fit at once on a machine, and why: CPU cores at `threads` each, 85% of RAM by the jobs' peak
    resident memory, and on a GPU 90% of its memory by their peak GPU memory."""
    limits = {"cores": max(1, cores // max(1, threads)), "RAM": max(1, int(0.85 * ram_mb // max(job_rss_mb, 1)))}
    if gpu_mb:
        limits["GPU memory"] = max(1, int(0.9 * gpu_mb // max(job_gpu_mb, 1)))
    bound = min(limits, key=limits.get)
    reason = ", ".join(f"{name} {value}" for name, value in limits.items())
    return limits[bound], f"{limits[bound]} jobs at a time, bound by {bound} ({reason}; per job {job_rss_mb:.0f} MB RAM" \
        + (f", {job_gpu_mb:.0f} MB GPU" if gpu_mb else "") + f", {threads} thread(s))"


def composer(conf_dir: str) -> Callable[[list[str]], DictConfig]:
    """compose(overrides) -> the full config `python -m xner.run` composes for them (Hydra's own loader)."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra._internal.utils import create_config_search_path
    from hydra.core.utils import setup_globals
    from hydra.types import RunMode


    setup_globals()
    loader = ConfigLoaderImpl(config_search_path=create_config_search_path(conf_dir))

    def compose(overrides: list[str]) -> DictConfig:
        return loader.load_configuration(config_name="config", overrides=overrides, run_mode=RunMode.RUN, from_shell=True)
    return compose


def _value_keys(study: Study, cfg: DictConfig) -> list[str]:
    """Grid keys that set a plain value (seed, model.frozen_layers): set on a composed config rather than composed
    again; group choices (experiment, lang, projector) and `+`/`~` keys are composed."""
    choices = set(OmegaConf.select(cfg, "hydra.runtime.choices", default={}) or {})
    keys = []
    for key in study.grid:
        if key in choices or "/" in key or key.startswith(("+", "~")):
            continue
        node = OmegaConf.select(cfg, key, default="\0missing", throw_on_missing=False)
        if not (isinstance(node, str) and node == "\0missing") and not OmegaConf.is_config(node):
            keys.append(key)
    return keys


def plan_jobs(study: Study, points: Sequence[Point], extras: Sequence[str], conf_dir: str,
              validate: Callable[[DictConfig], None] | None = None, progress: Callable[[str], None] | None = None) -> list[Job]:
    """Every point composed with the study's fixed overrides and `extras`, vetted and identified; a point whose
    config equals an earlier one's is the same job (listed once). `validate` checks one job per grid value (as a
    sweep's values are checked) and the first job: every option a job sets is then checked."""
    import copy

    from hydra.core.override_parser.overrides_parser import OverridesParser

    from xner.runtime.preflight import one_line
    from xner.runtime.targets import check_config_targets

    compose = composer(conf_dir)
    parser = OverridesParser.create()
    jobs: dict[str, Job] = {}
    composed: dict[tuple, DictConfig] = {}
    value_keys: list[str] | None = None
    checked: set[tuple[str, str]] = set()
    started = time.monotonic()
    for number, point in enumerate(points, 1):
        try:
            if value_keys is None:
                value_keys = _value_keys(study, compose([*study.overrides, *point.overrides(), *extras]))
            structural = tuple((k, v) for k, v in point.items if k not in value_keys)
            if structural not in composed:
                base = compose([*study.overrides, *(f"{k}={v}" for k, v in structural), *extras])
                check_config_targets(base)
                composed[structural] = base
            cfg = copy.deepcopy(composed[structural])
            for key, value in point.items:
                if key in value_keys:
                    OmegaConf.update(cfg, key, parser.parse_override(f"{key}={value}").value(), merge=False)
            fresh = [item for item in point.items if item not in checked]
            if validate is not None and (fresh or not checked):
                validate(cfg)
                checked.update(point.items)
        except XnerError as error:
            raise ConfigError(f"study {study.name}, job {point.label()}: {error}") from None
        except Exception as error:  # Hydra composition errors
            raise ConfigError(f"study {study.name}, job {point.label()}: {one_line(error)}") from None
        ident, sources = job_id(cfg), job_sources(cfg)
        jobs.setdefault(ident, Job(ident, point.as_dict(), study.method(point), point.get(study.rows) or "-",
                                   point.get("seed"), [*study.overrides, *point.overrides()], list(extras),
                                   study.estimate_minutes(point), sorted(sources),
                                   {label: study.source_estimate(lang) for label, lang in sources.items()}))
        if progress and time.monotonic() - started > 20 and number % 100 == 0:
            progress(f"composed {number}/{len(points)} jobs")
    return list(jobs.values())


def identity_extras(extras: Sequence[str]) -> tuple[str, ...]:
    """The overrides for every job that change what it computes (`threads=1`, a logger, paths do not)."""
    return tuple(e for e in extras if e.lstrip("+~").split("=")[0].split(".")[0].split("/")[0] not in NOT_IDENTITY)


def read_metrics(job_dir: Path) -> dict:
    """A job folder's metrics.json; {} where it has none or it cannot be read (an unfinished or broken job)."""
    try:
        metrics = json.loads((job_dir / "metrics.json").read_text())
    except (OSError, ValueError):
        return {}
    return metrics if isinstance(metrics, dict) else {}


def _job(record: dict) -> Job:
    """A superseded plan entry as the Job it was."""
    return Job(**{k: v for k, v in record.items() if k not in ("superseded_by", "retired", "record")})


def point_key(job: Job) -> tuple:
    """What makes two jobs the same run of the study: the grid point and the overrides that change what it computes."""
    return tuple(sorted(job.point.items())), identity_extras(job.extras)


class StudyDir:
    """`<root>/<study>/`: one folder per job (`<id>/`, Hydra's job folder: metrics.json, predictions, .hydra/),
    the plan (every job ever planned, with its grid point), the sweep markers and the chunk log."""

    def __init__(self, root: str | Path, name: str):
        self.path = Path(root) / name

    def job_dir(self, ident: str) -> Path:
        return self.path / ident

    def is_done(self, ident: str) -> bool:
        return (self.job_dir(ident) / "metrics.json").is_file()

    def failed(self) -> dict[str, str]:
        return sweeps.failed_jobs(self.path)

    def running(self) -> dict[str, int]:
        alive = {}
        for ident, pid in sweeps.running_jobs(self.path).items():
            try:
                os.kill(pid, 0)
                alive[ident] = pid
            except (ProcessLookupError, PermissionError):
                continue
        return alive

    def seconds(self, ident: str) -> float | None:
        """The job's wall seconds less the source models it trained (the first job that needs one pays for every
        later job; a time that kept it would mislead estimates and the time table)."""
        record = sweeps.job_record(self.path, ident)
        if not record or "seconds" not in record:
            return None
        return max(0.0, float(record["seconds"]) - shared_seconds(self.metrics(ident)))

    def metrics(self, ident: str) -> dict:
        """A job's metrics.json; {} where it has none or it cannot be read (an unfinished or broken job)."""
        return read_metrics(self.job_dir(ident))

    def job_folders(self) -> list[tuple[Job, Path]]:
        """Every job of the study with its folder: the plan's, and those superseded (in place) or retired (in
        `.retired/`) since."""
        found = [(job, self.job_dir(ident)) for ident, job in self.load_plan().items()]
        for key, entry in self.superseded().items():
            found.append((_job(entry), self.path / RETIRED_DIR / key if entry.get("retired") else self.job_dir(key)))
        return found

    def record(self, ident: str) -> dict:
        return sweeps.job_record(self.path, ident) or {}

    def others(self) -> list[Path]:
        """The other studies' folders under the same root (listed once; callers pass the list to `elsewhere`)."""
        if not self.path.parent.is_dir():
            return []
        return [p for p in sorted(self.path.parent.iterdir()) if p.is_dir() and p != self.path]

    def elsewhere(self, ident: str, others: Sequence[Path] | None = None) -> Path | None:
        """Another study under the same root that finished this job (the id is the resolved config: the same job)."""
        return next((p for p in (self.others() if others is None else others)
                     if (p / ident / "metrics.json").is_file()), None)

    def adopt(self, idents: Sequence[str]) -> dict[str, str]:
        """Copy in the finished jobs that another study under the same root already ran: job id -> the study it
        came from. Its time record comes with it."""
        adopted: dict[str, str] = {}
        others = self.others()
        for ident in idents:
            if self.is_done(ident) or (other := self.elsewhere(ident, others)) is None:
                continue
            target = self.job_dir(ident)
            partial = target.with_name(f".{ident}.adopting")
            shutil.rmtree(partial, ignore_errors=True)
            shutil.copytree(other / ident, partial, symlinks=True)
            shutil.rmtree(target, ignore_errors=True)
            partial.rename(target)
            record = dict(sweeps.job_record(other, ident) or {}, adopted_from=other.name)
            sweeps.write_job_record(self.path, ident, record)
            adopted[ident] = other.name
        return adopted

    def rekey(self, jobs: Sequence[Job], compose: Callable[[list[str]], DictConfig], accept: Sequence[str],
              dry_run: bool = False) -> tuple[list[str], list[str]]:
        """Finished jobs of the plan whose identity changed only by options added since they ran (each under an
        `accept`ed prefix, which the caller vouches leave what the job computes unchanged) move to the identity the
        current config gives them: folder, end record and plan entry. Returns (lines of what moved, lines of what
        did not and why); a job whose existing settings changed never moves."""
        planned = self.load_plan()
        superseded = self.superseded()
        candidates = {**planned, **{ident: _job(job) for ident, job in superseded.items() if not job.get("retired")}}
        wanted = {point_key(job): job for job in jobs}
        moved, kept = [], []
        for ident, old in list(candidates.items()):
            new = wanted.get(point_key(old))
            if new is None or new.id == ident or not self.is_done(ident):
                continue
            label = ", ".join(f"{k}={v}" for k, v in old.point.items())
            if self.job_dir(new.id).exists():
                kept.append(f"{label}: {new.id} exists already")
                continue
            saved = self.job_dir(ident) / ".hydra" / "config.yaml"
            if not saved.is_file():
                kept.append(f"{label}: no saved config ({saved})")
                continue
            cfg = compose([*new.overrides, *new.extras])
            if job_id(cfg) != new.id:
                kept.append(f"{label}: composing its overrides does not give the planned job {new.id}")
                continue
            before = identity(OmegaConf.load(saved))
            record = sweeps.job_record(self.path, ident) or {}
            earlier: list[str] = []  # a job moved before: its saved config gives the identity it first ran under
            if stable_hash(before) != ident:
                if stable_hash(before) != record.get("rekeyed_from"):
                    kept.append(f"{label}: its saved config does not give its identity {ident}")
                    continue
                earlier = [str(a) for a in record.get("rekey_accepted") or []]
            vouched = [*earlier, *accept]
            added, changed = config_changes(before, identity(cfg))
            owner = {k: next((a for a in vouched if k == a or k.startswith(a + ".")), None) for k in added}
            refused = [k for k, a in owner.items() if a is None]
            if changed or refused:
                why = f"changed {', '.join(changed[:4])}" if changed else f"added {', '.join(refused[:4])} (not accepted)"
                kept.append(f"{label}: {why}")
                continue
            under = sorted(set(owner.values()))
            moved.append(f"{label}: {ident} -> {new.id} (added {len(added)} option(s) under {', '.join(under)})")
            if dry_run:
                continue
            record = dict(record, rekeyed_from=stable_hash(before), rekey_accepted=sorted(set(vouched)))
            self.job_dir(ident).rename(self.job_dir(new.id))
            sweeps.write_job_record(self.path, new.id, record)
            sweeps.drop_job_record(self.path, ident)
            planned.pop(ident, None)
            superseded.pop(ident, None)
            planned[new.id] = new
        if moved and not dry_run:
            self._write_plan(planned, superseded)
        return moved, kept

    def load_plan(self) -> dict[str, Job]:
        path = self.path / PLAN_FILE
        if not path.is_file():
            return {}
        try:
            jobs = json.loads(path.read_text())["jobs"]
            return {ident: Job(**job) for ident, job in jobs.items()}
        except (ValueError, KeyError, TypeError) as error:
            raise ConfigError(f"{path}: not a study plan ({error}); move it away to plan again") from None

    def save_plan(self, study: Study, jobs: Sequence[Job]) -> Path:
        """Merge `jobs` into the plan (jobs of earlier plans are kept: their results still belong to the study). A
        planned job at the grid point (and identity overrides) of a new job with another id ran under a config that
        has changed since (an option or its default): it is superseded, kept on disk and under the plan's
        `superseded`, and left out of reports, counts and estimates (`rekey` moves it back where the change leaves
        what it computed the same)."""
        known, superseded, _ = self._supersede(jobs)
        for job in jobs:
            superseded.pop(job.id, None)
            known[job.id] = job
        return self._write_plan(known, superseded, study=study.name, question=study.question, current=[job.id for job in jobs])

    def _supersede(self, jobs: Sequence[Job]) -> tuple[dict[str, Job], dict[str, dict], int]:
        """(planned, superseded, how many moved) with every planned job at the grid point of one of `jobs` under
        another id moved to superseded."""
        known, superseded = self.load_plan(), self.superseded()
        newer = {point_key(job): job.id for job in jobs}
        moved = 0
        for ident, job in list(known.items()):
            if newer.get(point_key(job), ident) != ident:
                superseded[ident] = {**asdict(job), "superseded_by": newer[point_key(job)]}
                del known[ident]
                moved += 1
        return known, superseded, moved

    def supersede(self, jobs: Sequence[Job]) -> int:
        """Set aside the planned jobs whose grid point `jobs` (today's identities) now gives another id, without
        planning `jobs`: what the report does, so that a default changed since never shows an old result. How many."""
        known, superseded, moved = self._supersede(jobs)
        if moved:
            self._write_plan(known, superseded)
        return moved

    def retire(self, jobs: Sequence[Job], why: str, dry_run: bool = False) -> list[str]:
        """Finished jobs at these grid points whose results came from code or data handling since fixed (under today's
        id, or an earlier one the plan holds): here and in every other study under the root that holds one, its
        folder moves to `.retired/<id>.<n>/` and its plan entry to `superseded` (with `why`), so that no study adopts
        it and the next run computes the point again. Returns a line per job moved."""
        lines = []
        studies = [self, *(StudyDir(p.parent, p.name) for p in self.others())]
        earlier = self.planned_keys()
        for job in jobs:
            label = ", ".join(f"{k}={v}" for k, v in job.point.items())
            idents = [job.id, *sorted(i for i, key in earlier.items() if key == point_key(job) and i != job.id)]
            for ident in idents:
                for study in studies:
                    if study.is_done(ident):
                        lines.append(f"{study.path.name}: {label} ({ident})")
                        if not dry_run:
                            study._retire_one(ident, job, why)
        return lines

    def _retire_one(self, ident: str, job: Job, why: str) -> None:
        planned, superseded = self.load_plan(), self.superseded()
        entry = asdict(planned.pop(ident, replace(job, id=ident)))
        n = 1
        while (self.path / RETIRED_DIR / f"{ident}.{n}").exists():
            n += 1
        moved = self.path / RETIRED_DIR / f"{ident}.{n}"
        moved.parent.mkdir(parents=True, exist_ok=True)
        self.job_dir(ident).rename(moved)
        superseded.pop(ident, None)
        superseded[f"{ident}.{n}"] = {**entry, "superseded_by": None, "retired": why,
                                      "record": sweeps.job_record(self.path, ident) or {}}
        sweeps.drop_job_record(self.path, ident)
        self._write_plan(planned, superseded)

    def _write_plan(self, jobs: dict[str, Job], superseded: dict[str, dict], **fields) -> Path:
        """The plan file with these jobs and superseded entries; its other fields (study, question, current) as
        `fields` give them, else as the file had them."""
        self.path.mkdir(parents=True, exist_ok=True)
        path = self.path / PLAN_FILE
        base = json.loads(path.read_text()) if path.is_file() else {"study": self.path.name, "current": []}
        write_json_atomic(path, {**base, **fields, "jobs": {k: asdict(v) for k, v in jobs.items()}, "superseded": superseded})
        return path

    def superseded_done(self) -> int:
        """How many superseded jobs had finished: moved aside under another config, or retired."""
        return sum(bool(entry.get("retired")) or self.is_done(ident) for ident, entry in self.superseded().items())

    def planned_keys(self) -> dict[str, tuple]:
        """Every job the plan holds, superseded ones included: id -> point_key."""
        jobs = [*self.load_plan().values(), *map(_job, self.superseded().values())]
        return {job.id: point_key(job) for job in jobs}

    def superseded(self) -> dict[str, dict]:
        """Jobs of the plan whose config has changed since they were planned: id -> the job and `superseded_by`."""
        path = self.path / PLAN_FILE
        return dict(json.loads(path.read_text()).get("superseded") or {}) if path.is_file() else {}

    def current(self) -> list[str]:
        path = self.path / PLAN_FILE
        return json.loads(path.read_text()).get("current", []) if path.is_file() else []

    def log_chunk(self, entry: dict) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / CHUNKS_FILE, "a") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")

    def chunks(self) -> list[dict]:
        path = self.path / CHUNKS_FILE
        if not path.is_file():
            return []
        out = []
        for line in path.read_text().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out


def job_peaks(folder: StudyDir) -> tuple[float | None, float | None]:
    """The largest peak resident and GPU memory (MB) its finished jobs recorded (training or the source model's)."""
    rss = gpu = None
    for ident in folder.load_plan():
        for key, value in folder.metrics(ident).items():
            if key.endswith("peak_rss_mb"):
                rss = max(rss or 0.0, float(value))
            elif key.endswith("peak_gpu_mb"):
                gpu = max(gpu or 0.0, float(value))
    return rss, gpu


def shared_seconds(metrics: dict) -> float:
    """Seconds a finished job spent in its source-model stages (`train_source*`: training one, waiting on the lock
    while another job trains it, or loading it)."""
    return sum(float(value) for key, value in metrics.items()
               if key.startswith("stage/train_source") and key.endswith("/seconds"))


def estimates(jobs: Sequence[Job], folder: StudyDir) -> dict[str, float]:
    """Seconds each job is expected to take: the median recorded time of finished jobs of the same method in this
    study (any plan), else the study's estimate."""
    recorded: dict[str, list[float]] = {}
    for job in folder.load_plan().values():
        if folder.record(job.id).get("ok") and folder.is_done(job.id) and (seconds := folder.seconds(job.id)) is not None:
            recorded.setdefault(job.method, []).append(seconds)
    return {job.id: statistics.median(recorded[job.method]) if job.method in recorded else job.estimate_minutes * 60
            for job in jobs}


def cached_sources(cache_root: str | Path) -> set[str]:
    """Source models in the stage cache (`train_source`) under today's code, named by `source_label` (language and
    training cap): a study does not count their training again (the job that needs one reads it). Their other
    settings (seed, model options) are not compared, so this is an estimate."""
    from xner.cache import entries
    from xner.runtime.code import still_current

    found = set()
    for meta, artifact, _ in entries(Path(cache_root)):
        material = meta.get("material")
        if meta.get("stage") == "train_source" and isinstance(material, dict) and artifact.is_file() \
                and still_current(meta.get("code")):
            train = material.get("source_train")
            found.add(source_label(str(material.get("source_lang")), train.get("limit") if isinstance(train, dict) else None))
    return found


def stage_cache(cfg: DictConfig | None) -> Path:
    """The stage cache that jobs composed from `cfg` read (`paths.cache_dir`; $XNER_CACHE_DIR/stages without one): the
    one place `study status` and the sweeper look for trained source models."""
    from xner.cache import default_root

    root = OmegaConf.select(cfg, "paths.cache_dir", default=None) if cfg is not None else None
    return Path(str(root)) if root else default_root()


_SOURCE_TRAIN = re.compile(r"(?:teacher|source)/([^/]+)/train/seconds")


def recorded_sources(folder: StudyDir) -> dict[str, float]:
    """Minutes each source model (by `source_label`) took to train, as this study's finished jobs recorded it
    (`teacher/<lang>/train/seconds`, `source/<lang>/...`, or `source/train/seconds` of a one-source job), those
    superseded or retired since included (a teacher's training does not depend on what its student read): the fastest
    record of a job run on the whole machine (no `threads=` override). A job that read a cached model records the
    model's own training, which may have shared the machine: such a record overstates, and the next one trained alone
    replaces it."""
    found: dict[str, float] = {}
    for job, job_dir in folder.job_folders():
        if not job.sources or not (metrics := read_metrics(job_dir)) or _ran_beside_others(job_dir):
            continue
        by_lang = {label.split("[", 1)[0]: label for label in job.sources}
        times = {by_lang[m.group(1)]: float(v) for k, v in metrics.items()
                 if (m := _SOURCE_TRAIN.fullmatch(k)) and m.group(1) in by_lang and isinstance(v, (int, float))}
        if not times and len(job.sources) == 1 and isinstance(metrics.get("source/train/seconds"), (int, float)):
            times = {job.sources[0]: float(metrics["source/train/seconds"])}
        for label, seconds in times.items():
            found[label] = min(found.get(label, math.inf), seconds / 60)
    return found


def _ran_beside_others(job_dir: Path) -> bool:
    """Whether a finished job ran with a `threads=` override (a study run with --parallel > 1 adds one)."""
    try:
        overrides = yaml.safe_load((job_dir / ".hydra" / "overrides.yaml").read_text())
    except (OSError, yaml.YAMLError):  # no or unreadable record: counted as run alone
        return False
    return isinstance(overrides, list) and any(str(o).startswith("threads=") for o in overrides)


def timed_sources(jobs: Sequence[Job], recorded: dict[str, float]) -> list[Job]:
    """`jobs` with each source model's training time taken from `recorded` (minutes) where a finished job measured
    it, else the study's budget (`source_minutes`)."""
    return [replace(job, source_minutes={**job.source_minutes, **{s: recorded[s] for s in job.sources if s in recorded}})
            for job in jobs]


def with_sources(jobs: Sequence[Job], expected: dict[str, float], trained: set[str]) -> dict[str, float]:
    """`expected` plus, for each job, the training of its source models not in `trained` (the first job to need one
    trains it; recorded job times leave that out), so a deadline also covers the teachers a chunk has to train."""
    return {job.id: expected[job.id] + 60 * sum(job.source_minutes.get(s, 0.0) for s in job.sources if s not in trained)
            for job in jobs}


def describe_seconds(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes / 60:.1f} h" if minutes >= 90 else f"{minutes:.0f} min" if minutes >= 1 else f"{seconds:.0f} s"


def parallelism(launcher: DictConfig | dict | None) -> int:
    """Jobs a Hydra launcher runs at once: joblib's n_jobs (-1: one per core), submitit's array_parallelism, else 1."""
    if launcher is None:
        return 1
    get = launcher.get
    n = get("n_jobs") or get("array_parallelism") or 1
    try:
        n = int(n)
    except (TypeError, ValueError):
        return 1
    return os.cpu_count() or 1 if n < 0 else max(1, n)
