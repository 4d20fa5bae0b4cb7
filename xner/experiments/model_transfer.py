"""Model transfer (zero-shot): a source-language model (CoNLL-2003 English, or the best-ranked language of a pool
for the target, e.g. the best African source), selected on its own dev split, tested on the target's gold test set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from omegaconf import DictConfig

from xner.runtime.context import RunContext
from xner.runtime.schemas import ExperimentOptions
from xner.stages.corpus import corpus_split
from xner.stages.ner import check_not_target, evaluate_model, require_model, source_model_stage, target_gold
from xner.stages.teachers import source_ranks, transfer_source


@dataclass
class Options(ExperimentOptions):
    """Model transfer: the source language (null: the run's, en or fr), or the pool whose best-ranked language for
    the target (lang.transfer_ranking) is the source."""

    source_pool: str | Sequence[str] | None = None


def check(cfg: DictConfig) -> None:
    require_model(cfg)
    check_not_target(cfg, [transfer_source(cfg)], "source model")  # a pool, a ranking, not the target: before anything runs


def run(ctx: RunContext) -> dict[str, float]:
    cfg = ctx.cfg
    test, _, scored = target_gold(cfg)
    lang = transfer_source(cfg)
    ctx.log_metrics({f"data/{scored}_sentences": len(test)}
                    | {"transfer/source_rank": rank for rank in source_ranks(cfg, [lang]).values()})
    ctx.tracker.set_tags({"xner.source_lang": lang})
    model = source_model_stage(ctx, lang)
    evaluate_model(ctx, model.value, corpus_split(cfg, cfg.source_model.corpora[lang], "dev")[0], "dev")
    evaluate_model(ctx, model.value, test, scored)
    return ctx.metrics
