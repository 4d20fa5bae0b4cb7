"""Experiments that train NER models and test them on gold target data:
- `supervised`: gold target train -> target test (upper bound);
- `model_transfer`: source-language gold (CoNLL-2003 English) -> target test, zero-shot;
- `projection`: label the source side of parallel text (or of its translation), align, project,
  train on the projected target side, test on gold target test (data transfer)."""

from __future__ import annotations

import logging

from omegaconf import DictConfig, OmegaConf

from xner.data.conll import read_conll, write_conll
from xner.data.parallel import read_parallel
from xner.errors import ConfigError
from xner.io import file_sha256
from xner.pipeline.artifacts import load_words, save_words
from xner.pipeline.components import build
from xner.pipeline.context import RunContext
from xner.pipeline.ner_stages import (
    build_labeller,
    corpus_split,
    evaluate_model,
    require_model,
    source_model_stage,
    train_stage,
)
from xner.pipeline.stages import (
    align_stage,
    as_dict,
    label_map,
    log_rate,
    project_stage,
    resolve_corpus_file,
)

log = logging.getLogger(__name__)


def supervised(cfg: DictConfig, ctx: RunContext) -> dict[str, float]:
    require_model(cfg, "supervised")
    train, train_key = corpus_split(cfg, cfg.data.target, "train", cfg.data.max_sentences)
    dev, dev_key = corpus_split(cfg, cfg.data.target, "dev")
    test, _ = corpus_split(cfg, cfg.data.target, "test")
    ctx.log_metrics({"data/train_sentences": len(train), "data/dev_sentences": len(dev), "data/test_sentences": len(test)})
    model = train_stage(ctx, cfg, "train", train, dev, {"train": train_key, "dev": dev_key})
    evaluate_model(ctx, cfg, model.value, test, "test")
    return ctx.metrics


def model_transfer(cfg: DictConfig, ctx: RunContext) -> dict[str, float]:
    require_model(cfg, "model_transfer")
    test, _ = corpus_split(cfg, cfg.data.target, "test")
    ctx.log_metrics({"data/test_sentences": len(test)})
    model = source_model_stage(ctx, cfg)
    evaluate_model(ctx, cfg, model.value, test, "test")
    return ctx.metrics


def _parallel_words(cfg: DictConfig) -> tuple[list[list[str]], list[list[str]], dict]:
    """Word-split source and target sides of the configured parallel corpus (at most data.max_sentences)."""
    node = cfg.data.parallel
    pair = str(node.pair)
    if "-" not in pair:
        raise ConfigError(f"data.parallel.pair must look like 'en-swa', got '{pair}' (lang={cfg.lang.code} has no parallel corpus)")
    source_lang, target_lang = pair.split("-", 1)
    paths = [resolve_corpus_file(OmegaConf.create({**as_dict(node), "lang": lang}), cfg) for lang in (source_lang, target_lang)]
    pairs = read_parallel(paths[0], paths[1], max_pairs=cfg.data.max_sentences)
    key = {"source": file_sha256(paths[0]), "target": file_sha256(paths[1]), "max_sentences": cfg.data.max_sentences}
    return [s for s, _ in pairs], [t for _, t in pairs], key


def projection(cfg: DictConfig, ctx: RunContext) -> dict[str, float]:
    """Data transfer by annotation projection, ending in a target model scored on gold target test."""
    require_model(cfg, "projection")
    if cfg.labeller.get("_target_") is None:
        raise ConfigError("experiment=projection needs a source labeller (labeller=tagger or labeller=spacy)")
    translator = build(cfg.translator, "translator")
    aligner, projector = build(cfg.aligner, "aligner"), build(cfg.projector, "projector")
    test, _ = corpus_split(cfg, cfg.data.target, "test")
    sources, references, words_key = _parallel_words(cfg)
    ctx.log_metrics({"data/parallel_sentences": len(sources), "data/test_sentences": len(test)})

    labeller, labeller_key = build_labeller(ctx, cfg)
    labelled = ctx.stage("label", {"labeller": labeller_key, "words": words_key},
                         lambda: label_map(cfg).map_corpus(labeller.label(sources)),
                         lambda value, path: write_conll(path, value), read_conll, ".conll")
    log_rate(ctx, "label/sentences_per_second", len(sources), labelled)
    translation = ctx.stage("translate", {"translator": as_dict(cfg.translator), "words": words_key},
                            lambda: translator.translate(sources, references), save_words, load_words, ".jsonl")
    targets = translation.value
    alignment = align_stage(ctx, cfg, aligner, {"translation": translation.key}, sources, targets)
    projected = project_stage(ctx, cfg, projector, {"alignment": alignment.key, "labels": labelled.key},
                              labelled.value, targets, alignment.value)
    source_entities = sum(len(s.spans) for s in labelled.value)
    projected_entities = sum(len(s.spans) for s in projected.value)
    ctx.log_metrics({"label/source_entities": source_entities, "projection/projected_entities": projected_entities,
                     "projection/projected_share": projected_entities / source_entities if source_entities else 0.0})

    held_out = int(cfg.data.dev_sentences or 0)
    if held_out >= len(projected.value):
        raise ConfigError(f"data.dev_sentences={held_out} leaves no training data from {len(projected.value)} sentences")
    train = list(projected.value[: len(projected.value) - held_out])
    dev = list(projected.value[len(projected.value) - held_out:])
    ctx.log_metrics({"data/train_sentences": len(train), "data/dev_sentences": len(dev)})
    model = train_stage(ctx, cfg, "train", train, dev, {"projected": projected.key, "dev_sentences": held_out})
    evaluate_model(ctx, cfg, model.value, test, "test")
    return ctx.metrics
