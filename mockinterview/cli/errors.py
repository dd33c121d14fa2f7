"""Errors a command reports as one line and a non-zero exit code, never a traceback."""

from __future__ import annotations


class CliError(Exception):
    """Bad input or an unusable environment. ``str(exc)`` is the one-line reason."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
