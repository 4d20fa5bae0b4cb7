"""Which source models teach a target: named languages, the best-ranked of a pool by the target's transfer ranking
(`lang.transfer_ranking`, the MasakhaNER 2.0 authors'), or all of a pool; never the target itself. Weights equal,
given, or by each teacher's agreement with the others on the unlabelled text (no target gold)."""

from __future__ import annotations

import logging
from itertools import combinations
from typing import Mapping, Sequence

import numpy as np
from omegaconf import DictConfig, OmegaConf

from xner.data.iob import argmax_spans
from xner.data.records import Sentence
from xner.data.ranking import best_ranked
from xner.errors import ConfigError
from xner.runtime.artifacts import load_distributions, save_distributions
from xner.runtime.context import RunContext
from xner.stages.corpus import as_dict
from xner.stages.ner import check_not_target, source_language, target_language

log = logging.getLogger(__name__)


def pool_languages(cfg: DictConfig, pool, option: str) -> list[str]:
    """A pool: the name of a set in `source_model.pools`, or a list of languages (each with a corpus)."""
    pools = as_dict(OmegaConf.select(cfg, "source_model.pools") or {})
    if isinstance(pool, str):
        if pool not in pools:
            raise ConfigError(f"{option}: unknown pool '{pool}' (source_model.pools)", list(pools))
        langs = [str(lang) for lang in pools[pool]]
    else:
        langs = [str(lang) for lang in pool]
    corpora = cfg.source_model.corpora
    unknown = [lang for lang in langs if lang not in corpora]
    if unknown:
        raise ConfigError(f"{option}: no labelled NER corpus for {unknown} (source_model.corpora)", list(corpora))
    return langs


def ranking(cfg: DictConfig, option: str, required: bool = True) -> dict[str, float]:
    """The target's transfer ranking {source: rank} from its lang config; where it has none, one line naming the way
    out (or {} when not `required`)."""
    ranks = OmegaConf.select(cfg, "lang.transfer_ranking.ranks")
    if not ranks and not required:
        return {}
    if not ranks:
        raise ConfigError(f"{option}: lang={OmegaConf.select(cfg, 'lang.code')} has no lang.transfer_ranking to pick the "
                          "best-ranked languages from; name them instead (experiment.teachers=[...]) or take all of the pool")
    return {str(k): float(v) for k, v in as_dict(ranks).items()}


def source_ranks(cfg: DictConfig, langs: Sequence[str]) -> dict[str, float]:
    """Each language's rank as a source for the target (lang.transfer_ranking; unranked ones left out): how related
    a teacher is, logged beside the results that it may explain."""
    ranks = ranking(cfg, "lang.transfer_ranking", required=False)
    return {lang: ranks[lang] for lang in langs if lang in ranks}


def ranked_from_pool(cfg: DictConfig, pool, k: int | str, exclude: Sequence[str], option: str) -> list[str]:
    """The `k` best-ranked languages of `pool` for this target ('all': every one, in ranking order where known),
    leaving out `exclude` and the target itself."""
    code, _ = target_language(cfg)
    langs = [lang for lang in pool_languages(cfg, pool, option) if lang != code and lang not in exclude]
    if k == "all":  # every language of the pool: in ranking order where the target has a ranking
        return best_ranked(ranking(cfg, option, required=False), langs, None)
    return best_ranked(ranking(cfg, option), langs, int(k))


def teacher_languages(cfg: DictConfig) -> list[str]:
    """The run's teachers: `experiment.teachers` (named), then `experiment.ranked_teachers` more from
    `experiment.teacher_pool` (the best-ranked for the target, or 'all'); refuses an empty set and the target."""
    options = cfg.experiment
    named = [str(t) for t in options.teachers]
    corpora = cfg.source_model.corpora
    unknown = [t for t in named if t not in corpora]
    if unknown:
        raise ConfigError(f"no labelled NER corpus for teacher language(s) {unknown} (source_model.corpora)", list(corpora))
    check_not_target(cfg, named, "teacher")
    k = options.get("ranked_teachers") or 0
    extra = ranked_from_pool(cfg, options.get("teacher_pool", "african"), k, named, "experiment.ranked_teachers") if k else []
    teachers = named + extra
    if not teachers:
        raise ConfigError("experiment.teachers is empty; name source languages, e.g. [en] or [en,de,es,nl,fr], "
                          "or pick them by rank (experiment.ranked_teachers=3)")
    return teachers


def transfer_sources(cfg: DictConfig) -> list[str]:
    """Model transfer's source languages: the `experiment.ranked_sources` best-ranked of `experiment.source_pool` for
    the target where a pool is set (several: an ensemble), else the run's source language (en, or fr for the
    French-source MAFAND pairs)."""
    pool = OmegaConf.select(cfg, "experiment.source_pool")
    k = int(OmegaConf.select(cfg, "experiment.ranked_sources", default=1) or 1)
    if pool is None:
        if k != 1:
            raise ConfigError(f"experiment.ranked_sources={k} picks from a pool: set experiment.source_pool (e.g. african)")
        return [source_language(cfg)]
    best = ranked_from_pool(cfg, pool, k, [], "experiment.source_pool")
    if not best:
        raise ConfigError(f"experiment.source_pool: no language of pool {pool} other than the target")
    if len(best) < k:
        raise ConfigError(f"experiment.ranked_sources={k}: pool {pool} has {len(best)} ranked language(s) besides the target")
    return best


def transfer_source(cfg: DictConfig) -> str:
    """The best-ranked (or only) model-transfer source language."""
    return transfer_sources(cfg)[0]


def given_weights(cfg: DictConfig, teachers: Sequence[str]) -> dict[str, float] | None:
    """`experiment.weights` normalised (None: not given); each teacher needs one, all >= 0, not all 0."""
    weights = cfg.experiment.get("weights")
    if not weights:
        return None
    given = {str(k): float(v) for k, v in as_dict(weights).items()}
    if set(given) != set(teachers) or min(given.values()) < 0 or sum(given.values()) <= 0:
        raise ConfigError(f"experiment.weights must give a non-negative weight to each teacher {list(teachers)}, got {given}")
    total = sum(given.values())
    return {t: given[t] / total for t in teachers}


def span_sets(distributions: Sequence[np.ndarray], tags: Sequence[str]) -> set[tuple[int, int, int, str]]:
    """(sentence, start, end, label) of every entity in the (IOB2-repaired) argmax labelling."""
    return {(i, s.start, s.end, s.label) for i, probs in enumerate(distributions) for s in argmax_spans(probs, tags)}


def agreement(a: set, b: set) -> float:
    """Entity-level F1 of one labelling against another (symmetric); 1 when neither finds an entity."""
    return 1.0 if not a and not b else 2 * len(a & b) / (len(a) + len(b))


def agreement_weights(per_teacher: Mapping[str, Sequence[np.ndarray]], tags: Sequence[str]) -> tuple[dict[str, float], dict[str, float]]:
    """(weights, agreements): each teacher's mean entity F1 against the other teachers' labellings of the same text,
    normalised to sum 1 (equal when every agreement is 0; 1 for a lone teacher)."""
    langs = list(per_teacher)
    if len(langs) == 1:
        return {langs[0]: 1.0}, {langs[0]: 1.0}
    spans = {lang: span_sets(per_teacher[lang], tags) for lang in langs}
    pair = {frozenset(p): agreement(spans[p[0]], spans[p[1]]) for p in combinations(langs, 2)}
    mean = {lang: float(np.mean([pair[frozenset((lang, other))] for other in langs if other != lang])) for lang in langs}
    total = sum(mean.values())
    weights = {lang: (mean[lang] / total if total > 0 else 1 / len(langs)) for lang in langs}
    return weights, mean


def teacher_distributions(ctx: RunContext, teachers: Mapping[str, object], targets: Sequence[Sequence[str]], words_key: dict,
                          tags: Sequence[str]) -> dict[str, list[np.ndarray]]:
    """Each teacher's tag distributions over the unlabelled text, one cached stage per teacher (any teacher set that
    includes it reuses them)."""
    from xner.models.training import predict_distributions

    cfg = ctx.cfg
    unlabelled = [Sentence(tuple(words), ()) for words in targets]
    out = {}
    for lang, model in teachers.items():
        if model.value.tags != list(tags):
            raise ConfigError(f"teacher '{lang}' predicts {model.value.tags}, the student needs {list(tags)}")

        def label(model=model, lang=lang) -> list[np.ndarray]:
            log.info("teacher %s labels %d target sentences", lang, len(unlabelled))
            return predict_distributions(model.value, unlabelled, cfg.model.max_length, cfg.model.batch_size, runtime=cfg.model.runtime)

        out[lang] = ctx.stage("teach", {"teacher": model.ref, "words": words_key}, label, save_distributions,
                              load_distributions, ".npz").value
    return out


def combine(per_teacher: Mapping[str, Sequence[np.ndarray]], weights: Mapping[str, float]) -> list[np.ndarray]:
    """The weighted average of the teachers' distributions, word by word."""
    langs = list(per_teacher)
    return [sum(weights[lang] * per_teacher[lang][i] for lang in langs).astype(np.float32)
            for i in range(len(per_teacher[langs[0]]))]


def argmax_sentences(words: Sequence[Sequence[str]], distributions: Sequence[np.ndarray], tags: Sequence[str]) -> list[Sentence]:
    """The most likely (IOB2-repaired) labelling under each distribution: the dev 'gold' of the student."""
    return [Sentence(tuple(w), tuple(argmax_spans(p, tags))) for w, p in zip(words, distributions)]
