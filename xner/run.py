"""Layer 8, entry: `python -m xner.run [experiment=...] lang=...`, a thin Hydra main over `run(cfg)`."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

import hydra
from omegaconf import DictConfig

from xner.errors import Interrupted, XnerError, report
from xner.experiments import EXPERIMENTS, checks, schemas
from xner.runtime.preflight import check_command_line, experiment_validator
from xner.runtime.session import open_run

log = logging.getLogger(__name__)
CONF_DIR = str(Path(__file__).resolve().parents[1] / "conf")  # absolute: the same from `python -m` and in-process


def run(cfg: DictConfig) -> dict[str, float]:
    """Run the experiment `cfg` describes; returns its metrics (also logged to MLflow and saved as metrics.json)."""
    with open_run(cfg, checks(), schemas()) as ctx:
        metrics = EXPERIMENTS[cfg.experiment.pipeline].run(ctx)
    headline = str(cfg.experiment.headline_metric)
    log.info("%s = %.4f", headline, metrics.get(headline, float("nan")))
    return metrics


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="config")
def hydra_main(cfg: DictConfig) -> float | None:
    try:
        metrics = run(cfg)
    except XnerError as error:
        raise SystemExit(report(error)) from None
    except (Interrupted, KeyboardInterrupt) as interrupt:  # SIGTERM, or Ctrl-C (SIGINT)
        signum = getattr(interrupt, "signum", signal.SIGINT)
        print(f"xner: stopped by {signal.Signals(signum).name}", file=sys.stderr)
        raise SystemExit(128 + signum) from None
    headline = str(cfg.experiment.headline_metric)
    value = metrics.get(headline)
    print(f"{cfg.experiment.name} {cfg.experiment.label}: {headline} = {value:.4f}" if value is not None else metrics)
    return value


def main() -> float | None:
    """The command: the config Hydra will compose is vetted (targets, every option) before Hydra builds its
    callbacks, logging and run folder; then Hydra runs."""
    try:
        check_command_line(sys.argv[1:], hydra_main.__wrapped__, CONF_DIR, "config", experiment_validator(checks(), schemas()))
    except XnerError as error:
        raise SystemExit(report(error)) from None
    return hydra_main()


if __name__ == "__main__":
    main()
