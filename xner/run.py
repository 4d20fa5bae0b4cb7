"""`python -m xner.run experiment=europarl_intrinsic lang=de`: a thin Hydra entry over pipeline.runner.run."""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from xner.errors import XnerError, report
from xner.pipeline.runner import run


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> float | None:
    try:
        metrics = run(cfg)
    except XnerError as error:
        raise SystemExit(report(error)) from None
    headline = str(cfg.experiment.headline_metric)
    value = metrics.get(headline)
    print(f"{cfg.experiment.name} {cfg.experiment.label}: {headline} = {value:.4f}" if value is not None else metrics)
    return value


if __name__ == "__main__":
    main()
