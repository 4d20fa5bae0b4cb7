"""Model transfer (zero-shot): a source-language model (CoNLL-2003 English, or the best-ranked language of a pool
for the target, e.g. the best African source), selected on its own dev split, tested on the target's gold test set.
With several sources (the k best-ranked of a pool) their averaged tag distributions label the test set: a
multi-source ensemble, the direct-transfer baseline of Wu et al. 2020 and what a multi-source student imitates."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
from omegaconf import DictConfig

from xner.data.conll import write_conll
from xner.eval.ner_metrics import evaluate_sentences
from xner.models.tagging_data import tag_set
from xner.options import Positive
from xner.runtime.context import RunContext
from xner.runtime.schemas import ExperimentOptions
from xner.stages.corpus import corpus_split
from xner.stages.ner import check_not_target, evaluate_model, require_model, source_model_stage, target_gold
from xner.stages.teachers import (agreement_weights, argmax_sentences, combine, source_ranks, teacher_distributions,
                                  transfer_sources)

log = logging.getLogger(__name__)


@dataclass
class Options(ExperimentOptions):
    """Model transfer: the source language (null: the run's, en or fr), or the pool whose best-ranked language for
    the target (lang.transfer_ranking) is the source; `ranked_sources` > 1 averages that many best-ranked sources,
    equally or each by its agreement with the others on the text it labels (as teacher-student's `weighting`)."""

    source_pool: str | Sequence[str] | None = None
    ranked_sources: Positive = 1
    weighting: Literal["equal", "agreement"] = "equal"


def check(cfg: DictConfig) -> None:
    require_model(cfg)
    check_not_target(cfg, transfer_sources(cfg), "source model")  # a pool, a ranking, not the target: before anything runs


def run(ctx: RunContext) -> dict[str, float]:
    cfg = ctx.cfg
    test, test_key, scored = target_gold(cfg)
    langs = transfer_sources(cfg)
    ranks = source_ranks(cfg, langs)
    ctx.log_metrics({f"data/{scored}_sentences": len(test), "transfer/sources": len(langs)}
                    | ({"transfer/source_rank": float(np.mean(list(ranks.values())))} if ranks else {}))
    ctx.tracker.set_tags({"xner.source_lang": ",".join(langs)})
    if len(langs) == 1:
        model = source_model_stage(ctx, langs[0])
        evaluate_model(ctx, model.value, corpus_split(cfg, cfg.source_model.corpora[langs[0]], "dev")[0], "dev")
        evaluate_model(ctx, model.value, test, scored)
        return ctx.metrics
    log.info("multi-source model transfer: the averaged distributions of %s", ", ".join(langs))
    tags = tag_set(list(cfg.data.labels.keep))
    models = {lang: source_model_stage(ctx, lang, metric_prefix=f"source/{lang}/") for lang in langs}
    words = [list(s.tokens) for s in test]
    with ctx.step(f"predict {scored}") as timed:  # each source's distributions over the test words, cached per source
        per_source = teacher_distributions(ctx, models, words, {"gold_words": test_key}, tags)
        by_agreement, agreements = agreement_weights(per_source, tags)
        weights = by_agreement if cfg.experiment.get("weighting") == "agreement" else {lang: 1 / len(langs) for lang in langs}
        predictions = argmax_sentences(words, combine(per_source, weights), tags)
    write_conll(ctx.output_dir / f"{scored}_predictions.conll", predictions)
    write_conll(ctx.output_dir / f"{scored}_gold.conll", test)  # beside them: paired bootstraps need no data root
    metrics = {f"{scored}/{k}": v for k, v in evaluate_sentences(test, predictions).items()}
    metrics[f"{scored}/sentences_per_second"] = len(test) / max(timed.seconds, 1e-9)
    ctx.log_metrics(metrics | {"transfer/agreement": float(np.mean(list(agreements.values())))}
                    | {f"transfer/weight/{lang}": weight for lang, weight in weights.items()})
    log.info("%s F1 %.4f (%d sources, weights %s)", scored, metrics[f"{scored}/f1"], len(langs),
             ", ".join(f"{lang} {w:.2f}" for lang, w in weights.items()))
    return ctx.metrics
