"""Reading the corpora a config names (through the dataset registry), with its IOB2 policy and label set."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from xner.data.conll import ConllReadStats, read_conll
from xner.data.labels import LabelCounts, LabelMap
from xner.data.records import Sentence
from xner.data.registry import resolve
from xner.io import file_sha256

log = logging.getLogger(__name__)


def as_dict(node: DictConfig) -> Any:
    """A resolved plain container of a config node (cache-key material)."""
    return OmegaConf.to_container(node, resolve=True)


def resolve_corpus_file(cfg: DictConfig, node: DictConfig) -> Path:
    """The file a data entry (`dataset` plus its fields) names, through the dataset registry."""
    fields = {k: str(v) for k, v in as_dict(node).items() if k != "dataset" and v is not None}
    return resolve(str(node.dataset), data_dir=cfg.paths.data_dir, download=bool(cfg.data.get("download", False)), **fields)


def label_map(cfg: DictConfig) -> LabelMap:
    return LabelMap.from_config(cfg.data.labels.keep, cfg.data.labels.get("rename"))


def map_labels(cfg: DictConfig, sentences: list[Sentence], where: str | Path) -> list[Sentence]:
    """Sentences mapped to the data config's label set, saying what was re-cased or dropped (per type)."""
    labels = label_map(cfg)
    counts = LabelCounts()
    mapped = labels.map_corpus(sentences, counts)
    if counts.recased:
        log.warning("%s: entity types compared case-insensitively: %s read as %s", where,
                    ", ".join(f"{t} ({n})" for t, n in counts.recased.most_common()),
                    "/".join(sorted({labels.resolve(t) for t in counts.recased})))
    if counts.dropped:
        log.info("%s: entities of types outside data.labels.keep %s became O: %s", where, sorted(labels.keep),
                 ", ".join(f"{t} {n}" for t, n in counts.dropped.most_common()))
    for dropped, kept in counts.lookalikes(labels.keep).items():
        log.warning("%s: dropped %d entities of type %s, which looks like %s (add data.labels.rename={%s: %s}?)",
                    where, counts.dropped[dropped], dropped, kept, dropped, kept)
    return mapped


def read_corpus(cfg: DictConfig, path: Path, stats: ConllReadStats | None = None) -> list[Sentence]:
    """A CoNLL file read with the data config's IOB2 policy and mapped to its label set."""
    return map_labels(cfg, read_conll(path, cfg.data.repair_iob, stats if stats is not None else ConllReadStats()), path)


def corpus_split(cfg: DictConfig, node: DictConfig, split: str, limit: int | None = None) -> tuple[list[Sentence], dict]:
    """A split of a registered labelled corpus (at most `limit` sentences) and its cache-key material."""
    path = resolve_corpus_file(cfg, OmegaConf.create({**as_dict(node), "split": split}))
    sentences = read_corpus(cfg, path)
    return sentences[:limit] if limit else sentences, {"file": file_sha256(path), "limit": limit}
