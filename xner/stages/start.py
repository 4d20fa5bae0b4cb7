"""Where a target model's weights start (`model.init_from`): the bare encoder, the run's source model, a named
source language, or `ranked`, the target's best-ranked language of the African pool (lang.transfer_ranking)."""

from __future__ import annotations

import logging

from omegaconf import DictConfig, OmegaConf

from xner.errors import ConfigError
from xner.runtime.context import RunContext
from xner.stages.ner import init_language
from xner.stages.teachers import ranked_from_pool, ranking

log = logging.getLogger(__name__)

RANKED = "ranked"
RANKED_POOL = "african"


def start_language(cfg: DictConfig) -> str | None:
    """The language of the source NER model the target model starts from; None: the bare encoder."""
    init = OmegaConf.select(cfg, "model.init_from", default=None)
    if init is not None and str(init) == RANKED:
        option = "model.init_from=ranked"
        best = [lang for lang in ranked_from_pool(cfg, RANKED_POOL, 1, [], option) if lang in ranking(cfg, option)]
        if not best:  # (a pool language the ranking does not hold says nothing of its transfer)
            raise ConfigError(f"model.init_from=ranked: no language of pool '{RANKED_POOL}' is ranked for "
                              f"lang={OmegaConf.select(cfg, 'lang.code')}; name one instead (e.g. model.init_from=hau)")
        return best[0]
    return init_language(cfg, init)


def resolve_start(ctx: RunContext) -> str | None:
    """`model.init_from=ranked` made the language it names for this target (so the model's cache key is the same as
    naming that language), logged and tagged; the start language, or None."""
    lang = start_language(ctx.cfg)
    if OmegaConf.select(ctx.cfg, "model.init_from", default=None) == RANKED:
        ctx.cfg.model.init_from = lang
        log.info("model.init_from=ranked: the target model starts from the %s NER model (the best-ranked %s source for "
                 "lang=%s)", lang, RANKED_POOL, OmegaConf.select(ctx.cfg, "lang.code"))
    if lang:
        ctx.tracker.set_tags({"xner.init_from": lang})
    return lang
