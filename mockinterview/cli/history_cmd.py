"""``mockinterview history``: past sessions with their scores and the trend between them."""

from __future__ import annotations

import argparse
import json
import sys

from mockinterview.cli.errors import CliError
from mockinterview.domain.rounds import ROUND_ORDER as ROUNDS
from mockinterview.domain.rounds import ROUND_SHORT
from mockinterview.terminal import json_terminal_safe, terminal_safe


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "history",
        help="past sessions with scores and trend, newest first",
        description="Past sessions, newest first. An unfinished session can be resumed "
        "(mockinterview interview --resume ID) or discarded (--discard ID).",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    action = p.add_mutually_exclusive_group()
    action.add_argument(
        "--plan",
        action="store_true",
        help="the practice plan: mistakes that recur, key points most often missed, questions due for another try",
    )
    action.add_argument(
        "--delete", metavar="ID", default=None, help="delete one session (id, id prefix or path)"
    )
    action.add_argument(
        "--discard",
        metavar="ID",
        default=None,
        help="close an unfinished session without deleting it (it is no longer offered for resuming)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # deferred: start-up time (every command module loads at start)
    from mockinterview.engine.sessions import (
        TranscriptError,
        delete_session,
        discard_session,
        find_session,
        session_overview,
    )

    if args.delete is not None:
        try:
            path = find_session(args.delete)
            delete_session(path)
        except TranscriptError as exc:
            raise CliError(str(exc)) from None
        print(f"deleted {terminal_safe(path, one_line=True)}")
        return 0
    if args.discard is not None:
        try:
            path = discard_session(args.discard)
        except TranscriptError as exc:
            raise CliError(str(exc)) from None
        print(f"discarded {terminal_safe(path.stem, one_line=True)}: marked ended early, its answers are kept")
        return 0

    if args.plan:
        # deferred: start-up time (every command module loads at start)
        from mockinterview.engine.practice import practice_plan

        plan = practice_plan()
        if args.format == "json":
            json.dump(plan.to_json(), sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            _print_plan(plan)
        return 0

    rows = session_overview().with_trend()  # newest first
    if args.format == "json":
        payload = [{**s.to_json(), "trend": trend} for s, trend in rows]
        sys.stdout.write(json_terminal_safe(json.dumps(payload, ensure_ascii=False, indent=2)) + "\n")
        return 0
    _print_table(rows)
    return 0


STATUS_LABEL = {"in-progress": "unfinished", "ended-early": "ended early"}
OVERRIDE_MARK = "*"


def _score(value: float | None, overridden: bool, digits: int = 1) -> str:
    if value is None:
        return ""
    return f"{value:.{digits}f}" + (OVERRIDE_MARK if overridden else "")


def history_table(rows, dropped: set[str]):
    """The history table (newest first) without the ``dropped`` columns."""
    from rich import box  # deferred: start-up time (every command module loads at start)
    from rich.table import Table
    from rich.text import Text

    shown_rounds = [r for r in ROUNDS if any(r in s.round_scores for s, _ in rows if not s.error)]
    table = Table(title="Interview history (newest first)", title_justify="left", box=box.SIMPLE_HEAD)
    if "date" not in dropped:
        table.add_column("date", no_wrap=True)
    table.add_column("session", no_wrap=True)
    table.add_column("status", no_wrap=True)
    if "rounds" not in dropped:
        table.add_column("rounds")
    if "model" not in dropped:
        table.add_column("model", overflow="fold")
    for r in shown_rounds:
        table.add_column(ROUND_SHORT.get(r, r).lower(), justify="right", no_wrap=True)
    table.add_column("overall", justify="right", no_wrap=True)
    if "trend" not in dropped:
        table.add_column("trend", justify="right", no_wrap=True)
    for s, trend in rows:
        cells: list = []
        if "date" not in dropped:
            cells.append(s.created.strftime("%Y-%m-%d %H:%M") if s.created else "")
        cells.append(Text(terminal_safe(s.id, one_line=True)))
        if s.error:
            cells.append(Text("unreadable", style="red"))
            n = len(table.columns) - len(cells)
            table.add_row(*cells, *[""] * n)
            continue
        cells.append(
            Text(terminal_safe(STATUS_LABEL.get(s.status, s.status), one_line=True), style="yellow" if s.status == "in-progress" else "")
        )
        if "rounds" not in dropped:
            cells.append(Text(terminal_safe(" ".join(ROUND_SHORT.get(r, r).lower() for r in s.rounds), one_line=True)))
        if "model" not in dropped:
            cells.append(Text(terminal_safe(s.model, one_line=True)))
        for r in shown_rounds:
            cells.append(_score(s.round_scores.get(r), r in s.overridden_rounds))
        cells.append(Text(_score(s.overall, s.overridden, 2) or "-", style="bold"))
        if "trend" not in dropped:
            trend_text = Text("")
            if trend is not None:
                style = "green" if trend > 0 else "red" if trend < 0 else "dim"
                arrow = "▲" if trend > 0 else "▼" if trend < 0 else "="
                trend_text = Text(f"{arrow}{trend:+.2f}", style=style)
            cells.append(trend_text)
        table.add_row(*cells)
    return table


def _print_table(rows) -> None:
    from rich.text import Text  # deferred: start-up time (every command module loads at start)

    # deferred: start-up time (every command module loads at start)
    from mockinterview.cli.tables import fit_table, text_console

    console = text_console()
    if not rows:
        console.print("No sessions yet. Start one with: mockinterview interview")
        return
    # At 80 columns the planned rounds, the model and the date (the session id starts with
    # it) make way for the scores, which are never cut.
    console.print(
        fit_table(console, lambda dropped: history_table(rows, dropped), ("rounds", "model", "trend", "date"))
    )
    notes = []
    if any(s.overridden for s, _ in rows if not s.error):
        notes.append(
            f"{OVERRIDE_MARK} includes a mentor's override (the report shows the grader's score too)"
        )
    unfinished = [s for s, _ in rows if not s.error and s.status == "in-progress"]
    if unfinished:
        notes.append(
            f"{len(unfinished)} unfinished: `mockinterview interview --resume ID` continues one, "
            "`mockinterview history --discard ID` closes it"
        )
    for note in notes:
        console.print(Text(note, style="dim"))


def _print_plan(plan) -> None:
    """The practice plan as three short sections a person reads top to bottom; long lines
    wrap under their own column, numbers never wrap."""
    from rich.table import Table  # deferred: start-up time (every command module loads at start)
    from rich.text import Text

    from mockinterview.cli.tables import text_console

    console = text_console()
    if plan.sessions == 0:
        console.print("No sessions yet. Start one with: mockinterview interview")
        return
    console.print(Text(f"Practice plan (from your last {plan.sessions} session(s))", style="bold"))
    if plan.empty:
        console.print("Nothing to practise stands out: no mistakes, missed points or weak answers.")
        return

    def section(title: str, rows: list[tuple[Text, Text]], empty: str) -> None:
        console.print(Text(f"\n{title}", style="bold underline"))
        if not rows:
            console.print(Text(f"  {empty}", style="dim"))
            return
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, justify="right")
        grid.add_column(ratio=1)
        for left, right in rows:
            grid.add_row(left, right)
        console.print(grid)

    due = []
    for d in plan.due:
        score = "skipped" if d.last_score is None else f"{d.last_score:.1f}/5"
        due.append((Text(score), Text(d.question_id, style="cyan") + Text(f"  {d.topic}", style="dim")))
    section("Questions due for another try", due, "none: every latest attempt scored 3.5 or more")
    if plan.due:
        first = plan.due[0]
        console.print(
            Text(
                f"  retry one: mockinterview retry {first.session_id} --question-id {first.question_id} "
                "--answer-file FILE",
                style="dim",
            )
        )
    mistakes = []
    for m in plan.mistakes:
        times = f"×{m.times}" + (f" in {m.sessions} sessions" if m.sessions > 1 else "")
        body = Text(m.title, style="bold") + Text(f'\nlast: "{m.last_quote}"', style="italic")
        if m.how:
            body += Text(f"\nfix: {m.how}", style="dim")
        mistakes.append((Text(times), body))
    section("Mistakes that recur", mistakes, "none found")
    points = [
        (Text(f"{p.missed}/{p.asked} missed"), Text(p.key_point) + Text(f"  ({p.question_id})", style="dim"))
        for p in plan.missed_points
    ]
    section("Key points most often missed", points, "none")
