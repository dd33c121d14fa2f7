"""A progress bar for long commands (``grade --batch``, ``replay`` over many transcripts,
``calibrate``): Rich on stderr, with the count, rows per second and time left, and only
when stderr is a terminal. Piped or redirected, nothing is drawn and stdout stays data."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO


@contextmanager
def progress(
    total: int | None, what: str, unit: str = "rows", *, stream: TextIO | None = None
) -> Iterator[Callable[[int], None]]:
    """``with progress(n, "regrading") as advance: ... advance(1)``. The bar disappears when
    the block ends (normally, on an error or on Ctrl-C), leaving stderr as it was."""
    stream = sys.stderr if stream is None else stream
    if not stream.isatty():
        yield lambda _n=1: None
        return
    # Rich's progress display is only needed here, when drawing: not for piped runs.
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.1f} {unit}/s" if speed else f"- {unit}/s", style="progress.data.speed")

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeRemainingColumn(),
        console=Console(file=stream),
        transient=True,
        # Rich would route stdout through the bar's console (stderr): stdout is the data.
        redirect_stdout=False,
        redirect_stderr=False,
    )
    with bar:
        task = bar.add_task(what, total=total)
        yield lambda n=1: bar.advance(task, n)
