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


def ranked_start(cfg: DictConfig) -> str:
    """The `model.init_from` value `ranked` stands for on this target: its best-ranked language of the African pool, or
    'source' where the target has no ranking (PAN-X, captions)."""
    option = "model.init_from=ranked"
    ranks = ranking(cfg, option, required=False)
    if not ranks:
        return "source"
    best = ranked_from_pool(cfg, RANKED_POOL, 1, [], option)
    if not best or best[0] not in ranks:  # a pool language the ranking does not hold says nothing of its transfer
        raise ConfigError(f"model.init_from=ranked: no language of pool '{RANKED_POOL}' is ranked for "
                          f"lang={OmegaConf.select(cfg, 'lang.code')}; name one instead (e.g. model.init_from=hau)")
    return best[0]


def start_language(cfg: DictConfig) -> str | None:
    """The language of the source NER model the target model starts from; None: the bare encoder."""
    init = OmegaConf.select(cfg, "model.init_from", default=None)
    return init_language(cfg, ranked_start(cfg) if init is not None and str(init) == RANKED else init)


def resolve_start(ctx: RunContext) -> str | None:
    """`model.init_from=ranked` made the value it stands for on this target (so the model's cache key is the same as
    naming it), logged and tagged; the start language, or None."""
    if str(OmegaConf.select(ctx.cfg, "model.init_from", default=None)) == RANKED:
        ctx.cfg.model.init_from = ranked_start(ctx.cfg)
        code = OmegaConf.select(ctx.cfg, "lang.code")
        if ctx.cfg.model.init_from == "source":
            log.info("model.init_from=ranked: lang=%s has no transfer ranking; the target model starts from the source "
                     "model (%s)", code, init_language(ctx.cfg, "source"))
        else:
            log.info("model.init_from=ranked: the target model starts from the %s NER model (the best-ranked %s source "
                     "for lang=%s)", ctx.cfg.model.init_from, RANKED_POOL, code)
    lang = start_language(ctx.cfg)
    if lang:
        ctx.tracker.set_tags({"xner.init_from": lang})
    return lang
