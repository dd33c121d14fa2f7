"""The error every layer raises for bad input or an unusable environment.

The CLI reports it as one line and a non-zero exit code, never a traceback; the TUI shows
it as a notification. It lives at the bottom so storage, packs and the engine can raise
it without importing the CLI.
"""

from __future__ import annotations


class OneLineError(Exception):
    """``str(exc)`` is the one-line reason; ``exit_code`` what the CLI exits with."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
