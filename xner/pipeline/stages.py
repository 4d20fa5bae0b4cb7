"""Pieces every pipeline shares: reading a configured corpus, and the align and project stages.
Pipelines build their components before the first stage, so config errors surface before any work."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from omegaconf import DictConfig, OmegaConf

from xner.align.base import Aligner, Alignment, read_pharaoh, write_pharaoh
from xner.data.conll import ConllReadStats, read_conll, write_conll
from xner.data.labels import LabelMap
from xner.data.records import Sentence
from xner.data.registry import resolve
from xner.pipeline.cache import StageResult
from xner.pipeline.context import RunContext
from xner.project.base import ProjectionStats, Projector


def as_dict(node: DictConfig) -> Any:
    """A resolved plain container of a config node (cache-key material)."""
    return OmegaConf.to_container(node, resolve=True)


def resolve_corpus_file(node: DictConfig, cfg: DictConfig) -> Path:
    """The file a data entry (`dataset` plus its fields) names, through the dataset registry."""
    fields = {k: str(v) for k, v in as_dict(node).items() if k != "dataset"}
    return resolve(str(node.dataset), data_dir=cfg.paths.data_dir, download=bool(cfg.data.get("download", False)), **fields)


def label_map(cfg: DictConfig) -> LabelMap:
    return LabelMap.from_config(cfg.data.labels.keep, cfg.data.labels.get("rename"))


def read_corpus(path: Path, cfg: DictConfig, stats: ConllReadStats | None = None) -> list[Sentence]:
    """A CoNLL file read with the data config's IOB2 policy and mapped to its label set."""
    return label_map(cfg).map_corpus(read_conll(path, cfg.data.repair_iob, stats if stats is not None else ConllReadStats()))


def log_rate(ctx: RunContext, name: str, count: int, result: StageResult) -> None:
    """`count / seconds` of a stage that ran (a cache hit measures nothing)."""
    if not result.cache_hit:
        ctx.log_metrics({name: count / max(result.seconds, 1e-9)})


def align_stage(ctx: RunContext, cfg: DictConfig, aligner: Aligner, upstream: dict, sources: Sequence[Sequence[str]],
                targets: Sequence[Sequence[str]]) -> StageResult[list[Alignment]]:
    """Align (or reuse) source and target words with the aligner built from `cfg.aligner`."""
    return ctx.stage("align", {"aligner": as_dict(cfg.aligner), **upstream}, lambda: aligner.align(sources, targets),
                     lambda value, path: write_pharaoh(path, value), read_pharaoh, ".align")


def project_stage(ctx: RunContext, cfg: DictConfig, projector: Projector, upstream: dict, sources: Sequence[Sentence],
                  targets: Sequence[Sequence[str]], alignments: Sequence[Alignment]) -> StageResult[list[Sentence]]:
    """Project (or reuse) entities with the projector built from `cfg.projector`; logs its figures when it ran."""
    stats = ProjectionStats()
    result = ctx.stage("project", {"projector": as_dict(cfg.projector), **upstream},
                       lambda: projector.project_corpus(sources, targets, alignments, stats),
                       lambda value, path: write_conll(path, value), read_conll, ".conll")
    if not result.cache_hit:  # projector figures (objective, solve time) exist only when it ran
        ctx.log_metrics({f"projection/{name}": value for name, value in stats.extra.items()})
    return result
