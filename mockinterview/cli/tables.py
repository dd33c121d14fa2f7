"""Tables a person can read at any terminal width: text wraps, low-value columns are
dropped when the table would not fit, and a number is never cut to ``4…``.

Rich squeezes a too-wide table by cutting cells with an ellipsis, scores included; here
each table is built for the widest set of columns that fits without cutting anything.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.table import Table

PIPED_WIDTH = 130  # piped or captured output: don't squeeze tables into 80 columns


def text_console() -> Console:
    """A console for a command's tables: the terminal's width, ``COLUMNS`` when set, else
    (piped or captured) ``PIPED_WIDTH``."""
    console = Console(highlight=False)
    if not console.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
        console.width = PIPED_WIDTH
    return console


def _cut(console: Console, table: Table) -> bool:
    """True when drawing ``table`` at the console's width cuts a cell short."""
    probe = Console(
        width=console.width, file=io.StringIO(), color_system=None, highlight=False, legacy_windows=False
    )
    probe.print(table)
    return "…" in probe.file.getvalue()  # type: ignore[attr-defined]


def fit_table(console: Console, build: Callable[[set[str]], Table], optional: Sequence[str]) -> Table:
    """``build(dropped)`` with as few of the ``optional`` columns dropped (in the order given)
    as lets the table fit the console's width without cutting a cell."""
    dropped: set[str] = set()
    table = build(dropped)
    for name in optional:
        if not _cut(console, table):
            return table
        dropped.add(name)
        table = build(dropped)
    return table
