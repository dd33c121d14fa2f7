"""``mockinterview review TRANSCRIPT``: the mentor's review screen for a saved session."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "review",
        help="open a saved session in the mentor's review screen",
        description="Read a session turn by turn with its grades, comment on turns, override grades "
        "with a reason, and export a report. What the candidate said and what the grader recorded "
        "are never edited; reviews are stored as a separate layer.",
    )
    parser.add_argument(
        "transcript", metavar="TRANSCRIPT", help="a transcript file, or a session id (or prefix)"
    )
    parser.add_argument(
        "--author", default=None, help="name to sign comments and overrides with (default: mentor)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # deferred: start-up time (every command module loads at start)
    from mockinterview.cli.export_cmd import load_for_command

    path, _transcript = load_for_command(args.transcript)  # fail fast, before the TUI starts
    from mockinterview.tui.app import run_app  # deferred: start-up time (every command module loads at start)

    return run_app(model=getattr(args, "model", None), review_path=path, author=args.author or "mentor")
