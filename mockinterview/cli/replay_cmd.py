"""``mockinterview replay TRANSCRIPT...``: regrade saved sessions offline and show what changed.

Parses the arguments, runs ``engine.replay`` (the regrade-and-diff service) and renders its
results as they come: a table per transcript, or a JSON array. Exits non-zero on a miss
or an unreadable transcript; Ctrl-C stops after the transcripts done so far, with the
JSON array closed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING

from mockinterview.cli.errors import CliError
from mockinterview.cli.progress import progress
from mockinterview.terminal import json_terminal_safe, terminal_safe

if TYPE_CHECKING:
    from mockinterview.engine.replay import ReplayResult


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "replay",
        help="regrade saved sessions offline and show what changed",
        description="Regrade saved transcripts: --model stub (today's offline grader) or --model replay "
        "(the recorded grading calls, which must reproduce every grade exactly).",
    )
    p.add_argument("transcripts", nargs="+", metavar="TRANSCRIPT", help="transcript file or session id")
    p.add_argument("--model", default=argparse.SUPPRESS, help="stub (default) or replay")
    p.add_argument("--pack", default=None, help="rubric pack id or directory (default: the session's pack)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = getattr(args, "model", None) or "stub"
    if spec not in ("stub", "replay"):
        raise CliError(f"--model: replay regrades offline with 'stub' or 'replay', not {spec!r}")
    failures = asyncio.run(_replay_all(args.transcripts, spec, args.pack, args.format))
    for source, reason, _ in failures:
        # (A reason that already names the transcript is not prefixed with it again.)
        line = reason if reason.endswith(source) else f"{source}: {reason}"
        print(f"mockinterview: error: {terminal_safe(line, one_line=True)}", file=sys.stderr)
    if not failures:
        return 0
    # As every command: 2 when only the input was bad (a missing or unreadable transcript),
    # 1 when a regrade failed (a replay miss, a grade that cannot be redone).
    return 2 if all(bad_input for *_, bad_input in failures) else 1


async def _replay_all(
    sources: list[str], spec: str, pack_ref: str | None, fmt: str
) -> list[tuple[str, str, bool]]:
    """Replay and print one transcript at a time, so memory stays flat however many
    there are and results show as they come. Returns (source, reason, bad input) per
    failure; the caller prints each reason once, on stderr."""
    # Here, not at the top: the engine, the grader and the pack loader are not needed for
    # `mockinterview --help` or the TUI's start, which import every command module.
    from mockinterview.engine.replay import replay_many

    failures: list[tuple[str, str, bool]] = []
    console = _text_console() if fmt != "json" else None
    if fmt == "json":
        sys.stdout.write("[")
    try:
        with progress(len(sources), "regrading", "transcripts") as advance:
            index = 0
            async for result in replay_many(sources, spec, pack_ref):
                if console is None:
                    sys.stdout.write(",\n" if index else "\n")
                    sys.stdout.write(json_terminal_safe(json.dumps(result.to_json(), ensure_ascii=False, indent=2)))
                    sys.stdout.flush()
                else:
                    _print_text(result, console)
                if result.error:  # the transcript could not be read: bad input
                    failures.append((result.source, result.error, True))
                elif result.misses:
                    failures.append((result.source, next(r.error for r in result.rows if r.error), False))
                index += 1
                advance(1)
    finally:  # also on Ctrl-C: what was printed stays a valid JSON array
        if fmt == "json":
            sys.stdout.write("\n]\n")
            sys.stdout.flush()
    return failures


def _text_console():
    # deferred: start-up time (every command module loads at start)
    from mockinterview.cli.tables import text_console

    return text_console()


def _fmt(score: float | None) -> str:
    return "-" if score is None else f"{score:.1f}"


def _print_text(r: ReplayResult, console) -> None:
    from rich.table import Table  # deferred: start-up time (every command module loads at start)
    from rich.text import Text

    def safe(value: object) -> str:  # every string from the transcript: no raw escape
        return terminal_safe(value, one_line=True)

    if r.error:
        return  # said once, on stderr, by run()
    table = Table(title=Text(safe(f"{r.session_id} - regraded with {r.model}")), title_justify="left")
    table.add_column("turn", justify="right")
    table.add_column("question")
    table.add_column("old", justify="right")
    table.add_column("new", justify="right")
    table.add_column("Δ", justify="right")
    table.add_column("what changed", overflow="fold")
    if r.model == "replay":  # exact replay trusts the recording: the offline grade does not
        table.add_column("offline", justify="right")
    for row in r.rows:
        delta = "" if row.new_score is None else f"{row.new_score - row.old_score:+.1f}"
        if row.error:
            what = Text(safe(row.error), style="red")
        elif row.identical:
            what = Text("identical", style="green")
        else:
            what = Text(safe(", ".join(row.changes) or "changed"), style="yellow")
        cells = [Text(safe(row.turn_id)), Text(safe(row.question_id or "")), _fmt(row.old_score), _fmt(row.new_score), delta, what]
        if r.model == "replay":
            far = row.offline_score is not None and abs(row.offline_score - row.old_score) >= 1.0
            cells.append(Text(_fmt(row.offline_score), style="bold yellow" if far else ""))
        table.add_row(*cells)
    console.print(table)
    same = sum(1 for row in r.rows if row.identical)
    console.print(
        f"{len(r.rows)} answers: {same} identical, {len(r.rows) - same - r.misses} changed, {r.misses} misses"
    )
    if r.model == "replay":
        if r.unused_calls:
            console.print(
                Text(
                    safe(f"{len(r.unused_calls)} recorded grading call(s) unused: {', '.join(r.unused_calls)}"),
                    style="yellow",
                )
            )
        else:
            console.print("every recorded grading call was used")
        console.print(
            Text(
                "identical = the grades follow from the recorded model replies; it does not prove the "
                "replies are genuine. offline = today's offline grade of the same answer (a gap of "
                "1 point or more is shown in yellow).",
                style="dim",
            )
        )
