"""Layer 5, run machinery: stage cache, run context, MLflow tracking, artifacts, component building, config validation."""

import os

from omegaconf import OmegaConf

# `${xner.root:}` in configs: where relative paths (cache, mlflow.db) are anchored, the launch directory.
OmegaConf.register_new_resolver("xner.root", os.getcwd, replace=True)
