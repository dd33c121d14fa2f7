"""Errors a command reports as one line and a non-zero exit code, never a traceback."""

from __future__ import annotations

from mockinterview.errors import OneLineError


class CliError(OneLineError):
    """Bad input or an unusable environment. ``str(exc)`` is the one-line reason."""
