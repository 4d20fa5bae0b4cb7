"""Where a target model's weights start (`model.init_from`): the bare encoder, the run's source model, a named
source language, or `ranked`, the target's best-ranked language of the African pool (lang.transfer_ranking; the
run's source model for a target without a ranking, such as a PAN-X language)."""

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
    if init is None or str(init) != RANKED:
        return init_language(cfg, init)
    option = "model.init_from=ranked"
    ranks = ranking(cfg, option, required=False)
    if not ranks:  # no ranking to pick from (PAN-X, captions): the run's own source model, as model.init_from=source
        return init_language(cfg, "source")
    best = ranked_from_pool(cfg, RANKED_POOL, 1, [], option)
    if not best or best[0] not in ranks:  # a pool language the ranking does not hold says nothing of its transfer
        raise ConfigError(f"model.init_from=ranked: no language of pool '{RANKED_POOL}' is ranked for "
                          f"lang={OmegaConf.select(cfg, 'lang.code')}; name one instead (e.g. model.init_from=hau)")
    return best[0]


def resolve_start(ctx: RunContext) -> str | None:
    """`model.init_from=ranked` made the language it names for this target (so the model's cache key is the same as
    naming that language), logged and tagged; the start language, or None."""
    ranked = str(OmegaConf.select(ctx.cfg, "model.init_from", default=None)) == RANKED
    lang = start_language(ctx.cfg)
    if ranked and not ranking(ctx.cfg, "model.init_from=ranked", required=False):
        ctx.cfg.model.init_from = "source"  # the same cache key as naming it
        log.info("model.init_from=ranked: lang=%s has no transfer ranking; the target model starts from the source "
                 "model (%s)", OmegaConf.select(ctx.cfg, "lang.code"), lang)
    elif ranked:
        ctx.cfg.model.init_from = lang
        log.info("model.init_from=ranked: the target model starts from the %s NER model (the best-ranked %s source for "
                 "lang=%s)", lang, RANKED_POOL, OmegaConf.select(ctx.cfg, "lang.code"))
    if lang:
        ctx.tracker.set_tags({"xner.init_from": lang})
    return lang
