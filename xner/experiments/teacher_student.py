"""Teacher-student learning (Wu et al. 2020): source-language NER models (one, or several for
multi-source) label unlabelled target text with tag distributions; their weighted average is what a
target student learns. Optionally the projected labels of the same sentences are mixed in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
from omegaconf import DictConfig, OmegaConf

from xner.data.iob import argmax_spans
from xner.data.records import Sentence
from xner.errors import ConfigError
from xner.models.tagging_data import tag_set
from xner.runtime.artifacts import load_distributions, save_distributions
from xner.options import Fraction, NonNegative, Unchecked
from xner.runtime.context import RunContext
from xner.runtime.schemas import ExperimentOptions
from xner.stages.corpus import as_dict, corpus_split
from xner.stages.ner import evaluate_model, require_model, source_model_stage, train_stage
from xner.stages.projection import build_projection, check_parallel, hold_out, parallel_words, project_parallel

log = logging.getLogger(__name__)


@dataclass
class Options(ExperimentOptions):
    """Teacher-student: which source models teach, their weights, a share of projected labels, the unlabelled text."""

    teachers: Sequence[str]
    weights: Mapping[str, NonNegative] | None
    projection_weight: Fraction
    unlabelled: Unchecked | None


def teacher_weights(cfg: DictConfig) -> dict[str, float]:
    """Normalised weight per teacher language (equal when `experiment.weights` is null)."""
    options = cfg.experiment
    teachers = [str(t) for t in options.teachers]
    if not teachers:
        raise ConfigError("experiment.teachers is empty; name source languages, e.g. [en] or [en,de,es,nl,fr]")
    unknown = [t for t in teachers if t not in cfg.source_model.corpora]
    if unknown:
        raise ConfigError(f"no labelled NER corpus for teacher language(s) {unknown} (source_model.corpora)", list(cfg.source_model.corpora))
    given = as_dict(options.weights) if options.weights else {t: 1.0 for t in teachers}
    if set(given) != set(teachers) or min(given.values()) < 0 or sum(given.values()) <= 0:
        raise ConfigError(f"experiment.weights must give a non-negative weight to each teacher {teachers}, got {given}")
    total = sum(given.values())
    return {t: given[t] / total for t in teachers}


def mix(teacher: Sequence[np.ndarray], projected: Sequence[Sentence], tags: Sequence[str], weight: float) -> list[np.ndarray]:
    """(1 - weight) x teacher distribution + weight x one-hot projected tag, word by word."""
    from xner.data.iob import spans_to_tags

    index = {tag: i for i, tag in enumerate(tags)}
    out = []
    for probs, sentence in zip(teacher, projected):
        one_hot = np.zeros_like(probs)
        one_hot[np.arange(len(sentence)), [index[t] for t in spans_to_tags(sentence.spans, len(sentence))]] = 1.0
        out.append((1.0 - weight) * probs + weight * one_hot)
    return out


def argmax_sentences(words: Sequence[Sequence[str]], distributions: Sequence[np.ndarray], tags: Sequence[str]) -> list[Sentence]:
    """The most likely (IOB2-repaired) labelling under each distribution: the dev 'gold' of the student."""
    return [Sentence(tuple(w), tuple(argmax_spans(p, tags))) for w, p in zip(words, distributions)]


def unlabelled_words(cfg: DictConfig, log_metrics=None) -> tuple[list[list[str]], dict]:
    """The students' text and its key: the words of `experiment.unlabelled` (a NER corpus split, its labels
    dropped, at most data.max_sentences; Wu et al. 2020 use the target train text), else the parallel target side."""
    node = cfg.experiment.get("unlabelled")
    if node is None:
        _, targets, key = parallel_words(cfg, log_metrics)
        return targets, key
    fields = {"split": "train", **as_dict(node)}
    sentences, key = corpus_split(cfg, OmegaConf.create({k: v for k, v in fields.items() if k != "split"}), str(fields["split"]),
                                  cfg.data.max_sentences)
    return [list(s.tokens) for s in sentences], {"unlabelled": key}


def check(cfg: DictConfig) -> None:
    """Teachers with a labelled corpus and valid weights, a mixing weight in [0, 1], a linear head, and
    unlabelled text: the parallel corpus's target side, or `experiment.unlabelled` (a NER corpus split)."""
    require_model(cfg)
    teacher_weights(cfg)
    projection_weight = float(cfg.experiment.projection_weight)
    unlabelled = cfg.experiment.get("unlabelled")
    if unlabelled is None:
        check_parallel(cfg)
    elif projection_weight > 0:
        raise ConfigError("experiment.unlabelled has no source side to project from: use projection_weight=0")
    elif not {"dataset", "lang"} <= set(unlabelled):
        raise ConfigError(f"experiment.unlabelled needs dataset and lang (e.g. {{dataset: transfer, lang: es, split: train}}), got {as_dict(unlabelled)}")
    if cfg.model.head != "linear":
        raise ConfigError("experiment=teacher_student trains the student on distributions: use model.head=linear")


def run(ctx: RunContext) -> dict[str, float]:
    from xner.models.training import predict_distributions

    cfg = ctx.cfg
    weights = teacher_weights(cfg)
    projection_weight = float(cfg.experiment.projection_weight)
    components = build_projection(ctx) if projection_weight > 0 else None
    test, _ = corpus_split(cfg, cfg.data.target, "test")
    targets, words_key = unlabelled_words(cfg, ctx.log_metrics)
    ctx.log_metrics({"data/unlabelled_sentences": len(targets), "data/test_sentences": len(test)})

    tags = tag_set(list(cfg.data.labels.keep))
    teachers = {lang: source_model_stage(ctx, lang, metric_prefix=f"teacher/{lang}/") for lang in weights}
    unlabelled = [Sentence(tuple(words), ()) for words in targets]

    def soft_labels() -> list[np.ndarray]:
        total = [np.zeros((len(words), len(tags)), np.float32) for words in targets]
        for lang, model in teachers.items():
            if model.value.tags != tags:
                raise ConfigError(f"teacher '{lang}' predicts {model.value.tags}, the student needs {tags}")
            log.info("teacher %s labels %d target sentences", lang, len(unlabelled))
            for row, probs in zip(total, predict_distributions(model.value, unlabelled, cfg.model.max_length, cfg.model.batch_size,
                                                                      runtime=cfg.model.runtime)):
                row += weights[lang] * probs
        return total

    soft = ctx.stage("teach", {"teachers": {lang: m.ref for lang, m in teachers.items()}, "weights": weights, "words": words_key},
                     soft_labels, save_distributions, load_distributions, ".npz")
    distributions, data_key = soft.value, {"soft_labels": soft.ref, "projection_weight": projection_weight}
    if components is not None:
        sources, targets, words_key = parallel_words(cfg, ctx.log_metrics)
        projected = project_parallel(ctx, components, sources, targets, words_key)
        if [s.tokens for s in projected.value] != [tuple(w) for w in targets]:
            raise ConfigError("experiment.projection_weight > 0 needs translator=parallel (projected and unlabelled text must be the same)")
        distributions = mix(distributions, projected.value, tags, projection_weight)
        data_key["projected"] = projected.ref
    sentences = argmax_sentences(targets, distributions, tags)
    ctx.log_metrics({"teach/entities": sum(len(s.spans) for s in sentences),
                     "teach/mean_max_probability": float(np.mean([p.max(1).mean() for p in distributions if len(p)]))})
    n_train = hold_out(cfg, sentences)
    ctx.log_metrics({"data/train_sentences": n_train, "data/dev_sentences": len(sentences) - n_train})
    data_key["dev_sentences"] = len(sentences) - n_train
    model = train_stage(ctx, "train", sentences[:n_train], sentences[n_train:], data_key, soft_labels=distributions[:n_train])
    evaluate_model(ctx, model.value, sentences[n_train:], "dev")  # against the held-out teacher labels
    evaluate_model(ctx, model.value, test, "test")
    return ctx.metrics
