"""The Hydra sweeper `python -m xner.study run` selects (`hydra/sweeper=xner_study`): it launches a study's
planned jobs through the configured launcher, skipping finished ones and never starting one the deadline
cannot fit. Thin: `xner.study.sweeper` does the work."""

from __future__ import annotations

from typing import Any, List

from hydra.plugins.sweeper import Sweeper


class StudySweeper(Sweeper):
    def __init__(self, plan: str | None = None, deadline: float | None = None, retry_failed: bool = False) -> None:
        self.plan, self.deadline, self.retry_failed = plan, deadline, retry_failed
        self.config = self.launcher = self.hydra_context = None

    def setup(self, *, hydra_context, task_function, config) -> None:
        from hydra.core.plugins import Plugins

        self.hydra_context, self.config = hydra_context, config
        self.launcher = Plugins.instance().instantiate_launcher(hydra_context=hydra_context, task_function=task_function,
                                                                config=config)

    def sweep(self, arguments: List[str]) -> Any:
        from xner.study.sweeper import run_plan

        return run_plan(self.config, self.launcher, self.plan, self.deadline, self.retry_failed, arguments)
