"""Word-alignment evaluation: align a gold-aligned test set and score AER, precision and recall."""

from __future__ import annotations

import logging

from xner.data.registry import resolve
from xner.eval.alignment_metrics import alignment_scores, load_gold_set
from xner.io import file_sha256
from xner.runtime.context import RunContext
from xner.stages.projection import align_stage, log_rate

log = logging.getLogger(__name__)


def run(ctx: RunContext) -> dict[str, float]:
    cfg = ctx.cfg
    pair = str(cfg.data.pair)
    download = bool(cfg.data.get("download", False))
    pairs_path = resolve("align_gold", data_dir=cfg.paths.data_dir, download=download, pair=pair, kind="src-tgt")
    gold_path = resolve("align_gold", data_dir=cfg.paths.data_dir, download=download, pair=pair, kind="gold")
    pairs, gold, dropped = load_gold_set(pairs_path, gold_path, strict=bool(cfg.data.get("strict_gold", False)))
    if cfg.data.max_sentences:
        pairs, gold = pairs[: cfg.data.max_sentences], gold[: cfg.data.max_sentences]
    log.info("alignment gold set %s: %d sentence pairs from %s", pair, len(pairs), pairs_path)
    aligner = ctx.build("aligner")
    upstream = {"pairs": file_sha256(pairs_path), "max_sentences": cfg.data.max_sentences}
    result = align_stage(ctx, aligner, upstream, [s for s, _ in pairs], [t for _, t in pairs])
    metrics = {f"alignment/{name}": value for name, value in alignment_scores(result.value, gold).items()}
    metrics["data/sentences"] = len(pairs)
    metrics["data/gold_links_dropped"] = dropped
    ctx.log_metrics(metrics)
    log_rate(ctx, "alignment/pairs_per_second", len(pairs), result)
    log.info("alignments: %s", result.path)
    return ctx.metrics
