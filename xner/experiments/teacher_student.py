"""Teacher-student learning (Wu et al. 2020): source-language NER models (one, or several for
multi-source) label unlabelled target text with tag distributions; their weighted average is what a
target student learns. Optionally the projected labels of the same sentences are mixed in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal, Mapping, Sequence

import numpy as np
from omegaconf import DictConfig, OmegaConf

from xner.data.records import Sentence
from xner.errors import ConfigError
from xner.models.tagging_data import tag_set
from xner.options import Count, Fraction, NonNegative, Unchecked
from xner.runtime.context import RunContext
from xner.runtime.schemas import ExperimentOptions
from xner.stages.corpus import as_dict, corpus_split
from xner.stages.ner import evaluate_model, require_model, source_model_stage, target_gold, train_stage
from xner.stages.teachers import (agreement_weights, argmax_sentences, combine, given_weights, source_ranks,
                                 teacher_distributions, teacher_languages)
from xner.stages.projection import (build_projection, check_parallel, eval_index, hold_out, log_excluded, parallel_words,
                                   project_parallel, projected_statistics)

log = logging.getLogger(__name__)


@dataclass
class Options(ExperimentOptions):
    """Teacher-student: which source models teach (named, and/or the best-ranked of a pool for the target), their
    weights, a share of projected labels, the unlabelled text."""

    teachers: Sequence[str]
    ranked_teachers: Count | Literal["all"]
    teacher_pool: str | Sequence[str]
    weights: Mapping[str, NonNegative] | None
    weighting: Literal["equal", "agreement"]
    projection_weight: Fraction
    unlabelled: Unchecked | None


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


def unlabelled_words(cfg: DictConfig, log_metrics=None) -> tuple[list[list[str]], dict]:
    """The students' text and its key: the words of `experiment.unlabelled` (a NER corpus split, its labels
    dropped, at most data.max_sentences; Wu et al. 2020 use the target train text), else the parallel target side;
    with `data.exclude_eval`, never a sentence shared with the target's gold test or dev split."""
    node = cfg.experiment.get("unlabelled")
    if node is None:
        _, targets, key = parallel_words(cfg, log_metrics)
        return targets, key
    fields = {"split": "train", **as_dict(node)}
    limit = cfg.data.max_sentences
    sentences, key = corpus_split(cfg, OmegaConf.create({k: v for k, v in fields.items() if k != "split"}), str(fields["split"]))
    key["limit"] = limit
    words, excluded = [list(s.tokens) for s in sentences], []
    index = eval_index(cfg)
    if index is not None and len(index[0]):
        kept = []
        for number, sentence in enumerate(words, start=1):
            if limit is not None and len(kept) >= limit:
                break
            if index[0].shares(sentence):
                excluded.append(number)
            else:
                kept.append(sentence)
        words = kept
    if index is not None:
        log_excluded(log_metrics, len(excluded), len(words) + len(excluded),
                     f"sentences of {fields['dataset']} {fields['lang']} {fields['split']}", index[1])
    if excluded:  # (the key stays as it was where nothing is excluded)
        key["excluded_eval"] = excluded
    return words[:limit] if limit else words, {"unlabelled": key}


def check(cfg: DictConfig) -> None:
    """Teachers with a labelled corpus and valid weights, a mixing weight in [0, 1], a linear head, and
    unlabelled text: the parallel corpus's target side, or `experiment.unlabelled` (a NER corpus split)."""
    require_model(cfg)
    given_weights(cfg, teacher_languages(cfg))
    if cfg.experiment.get("weights") and cfg.experiment.get("weighting") == "agreement":
        raise ConfigError("experiment.weights and experiment.weighting=agreement both set the weights: keep one")
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
    cfg = ctx.cfg
    langs = teacher_languages(cfg)
    projection_weight = float(cfg.experiment.projection_weight)
    components = build_projection(ctx) if projection_weight > 0 else None
    test, _, scored = target_gold(cfg)
    targets, words_key = unlabelled_words(cfg, ctx.log_metrics)
    ctx.log_metrics({"data/unlabelled_sentences": len(targets), f"data/{scored}_sentences": len(test), "teach/teachers": len(langs)})
    log.info("teachers: %s", ", ".join(langs))
    ranks = source_ranks(cfg, langs)
    if ranks:
        ctx.log_metrics({f"teach/rank/{lang}": rank for lang, rank in ranks.items()}
                        | {"teach/mean_rank": float(np.mean(list(ranks.values())))})

    tags = tag_set(list(cfg.data.labels.keep))
    teachers = {lang: source_model_stage(ctx, lang, metric_prefix=f"teacher/{lang}/") for lang in langs}
    per_teacher = teacher_distributions(ctx, teachers, targets, words_key, tags)
    weights = given_weights(cfg, langs)
    by_agreement, agreements = agreement_weights(per_teacher, tags)  # logged for every set: explains where teachers fail
    if len(langs) > 1:
        ctx.log_metrics({f"teach/agreement/{lang}": value for lang, value in agreements.items()}
                        | {"teach/agreement": float(np.mean(list(agreements.values())))})
    if weights is None and cfg.experiment.get("weighting") == "agreement":
        weights = by_agreement
    weights = weights or {lang: 1 / len(langs) for lang in langs}
    ctx.log_metrics({f"teach/weight/{lang}": value for lang, value in weights.items()})
    log.info("teacher weights: %s", ", ".join(f"{lang} {w:.3f}" for lang, w in weights.items()))
    distributions = combine(per_teacher, weights)
    data_key = {"teachers": {lang: m.ref for lang, m in teachers.items()}, "weights": weights, "words": words_key,
                "projection_weight": projection_weight}
    if components is not None:
        sources, targets, words_key = parallel_words(cfg, ctx.log_metrics)
        projected = project_parallel(ctx, components, sources, targets, words_key)
        if [s.tokens for s in projected.value] != [tuple(w) for w in targets]:
            raise ConfigError("experiment.projection_weight > 0 needs translator=parallel (projected and unlabelled text must be the same)")
        distributions = mix(distributions, projected.value, tags, projection_weight)
        data_key["projected"] = projected.ref
    sentences = argmax_sentences(targets, distributions, tags)
    ctx.log_metrics({"teach/entities": sum(len(s.spans) for s in sentences),
                     "teach/mean_max_probability": float(np.mean([p.max(1).mean() for p in distributions if len(p)]))}
                    | projected_statistics(sentences, "teach"))
    n_train = hold_out(cfg, sentences)
    ctx.log_metrics({"data/train_sentences": n_train, "data/dev_sentences": len(sentences) - n_train})
    data_key["dev_sentences"] = len(sentences) - n_train
    model = train_stage(ctx, "train", sentences[:n_train], sentences[n_train:], data_key, soft_labels=distributions[:n_train])
    evaluate_model(ctx, model.value, sentences[n_train:], "dev")  # against the held-out teacher labels
    evaluate_model(ctx, model.value, test, scored)
    return ctx.metrics
