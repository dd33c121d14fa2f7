"""``mockinterview history``: past sessions with their scores and the trend between them."""

from __future__ import annotations

import argparse
import json
import sys

from mockinterview.cli.errors import CliError
from mockinterview.domain.rounds import ROUND_ORDER as ROUNDS


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("history", help="past sessions with scores and trend")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--delete", metavar="ID", default=None, help="delete one session (id, id prefix or path)")
    p.set_defaults(func=run)


def with_trend(summaries) -> list[tuple[object, float | None]]:
    """Each session with the change of its overall score since the previous scored one."""
    out = []
    previous: float | None = None
    for s in summaries:
        trend = None
        if s.overall is not None:
            if previous is not None:
                trend = round(s.overall - previous, 2)
            previous = s.overall
        out.append((s, trend))
    return out


def run(args: argparse.Namespace) -> int:
    from mockinterview.storage.transcripts import TranscriptError, delete_session, find_session, list_sessions

    if args.delete is not None:
        try:
            path = find_session(args.delete)
            delete_session(path)
        except TranscriptError as exc:
            raise CliError(str(exc)) from None
        print(f"deleted {path}")
        return 0

    rows = with_trend(list_sessions())
    if args.format == "json":
        payload = [{**s.to_json(), "trend": trend} for s, trend in rows]
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    _print_table(rows)
    return 0


def _print_table(rows) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = 130  # piped or captured: don't squeeze the table into 80 columns
    if not rows:
        console.print("No sessions yet. Start one with: mockinterview interview")
        return
    table = Table(title="Interview history (oldest first)", title_justify="left")
    for name, justify in (
        ("date", "left"),
        ("session", "left"),
        ("rounds", "left"),
        ("model", "left"),
        ("status", "left"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for r in ROUNDS:
        table.add_column(r[:5], justify="right")
    table.add_column("overall", justify="right")
    table.add_column("trend", justify="right")
    for s, trend in rows:
        if s.error:
            table.add_row("", s.id, "", "", Text("unreadable", style="red"), *[""] * len(ROUNDS), "", "")
            continue
        per_round = [f"{s.round_scores[r]:.1f}" if r in s.round_scores else "" for r in ROUNDS]
        trend_text = Text("")
        if trend is not None:
            style = "green" if trend > 0 else "red" if trend < 0 else "dim"
            arrow = "▲" if trend > 0 else "▼" if trend < 0 else "="
            trend_text = Text(f"{arrow} {trend:+.2f}", style=style)
        table.add_row(
            s.created.strftime("%Y-%m-%d %H:%M") if s.created else "",
            s.id,
            ",".join(r[:4] for r in s.rounds),
            s.model,
            s.status,
            *per_round,
            f"{s.overall:.2f}" if s.overall is not None else "-",
            trend_text,
        )
    console.print(table)
