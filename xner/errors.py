"""One exception family whose messages are complete, one-line explanations for the user."""

from __future__ import annotations

import sys
from pathlib import Path


class XnerError(Exception):
    """An error the user can act on; the runner prints its message alone, without a traceback."""


class InputError(XnerError):
    """Malformed input: names the file, the line (1-based, when known) and the problem."""

    def __init__(self, path: str | Path, problem: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


class ConfigError(XnerError):
    """An invalid configuration choice, with the valid ones when there is a closed list."""

    def __init__(self, problem: str, choices: list[str] | None = None):
        self.problem, self.choices = problem, choices
        message = problem
        if choices:
            message += f" (valid choices: {', '.join(sorted(choices))})"
        super().__init__(message)


class MissingDataError(XnerError):
    """A registered data file that is not on disk: says where it was looked for and how to get it."""


def report(error: XnerError) -> int:
    """Print the one-line message every xner command shows for a user error; returns exit status 1."""
    print(f"xner: error: {error}", file=sys.stderr)
    return 1


class Interrupted(BaseException):
    """SIGTERM (or SIGINT) during a run: unwinds like Ctrl-C so the run is closed as KILLED, child
    processes are stopped and temporary files removed on the way out."""

    def __init__(self, signum: int):
        import signal

        self.signum = signum
        super().__init__(signal.Signals(signum).name)
