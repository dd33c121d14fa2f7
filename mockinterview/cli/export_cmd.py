"""``mockinterview export TRANSCRIPT --format md|html [-o FILE] [--no-model-calls]``: a shareable report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mockinterview.cli.errors import CliError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write a shareable report of a session (Markdown or self-contained HTML)",
        description="Write a report of a saved session: scores, key points, mistakes with the candidate's "
        "words, mentor comments and overrides, and reference answers.",
    )
    parser.add_argument(
        "transcript", metavar="TRANSCRIPT", help="a transcript file, or a session id (or prefix)"
    )
    parser.add_argument(
        "--format", "-f", dest="fmt", choices=("md", "html"), default="md", help="report format"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    calls = parser.add_mutually_exclusive_group()
    calls.add_argument(
        "--model-calls", dest="model_calls", action="store_true", help="include a table of the model calls"
    )
    calls.add_argument(
        "--no-model-calls",
        dest="model_calls",
        action="store_false",
        help="leave the model calls out (default)",
    )
    parser.set_defaults(func=run, model_calls=False)


def load_for_command(ref: str):
    """Find and load a transcript, turning storage errors into one-line CLI errors."""
    # deferred: start-up time (every command module loads at start)
    from mockinterview.engine.sessions import TranscriptError, open_session

    try:
        return open_session(ref)
    except TranscriptError as exc:
        raise CliError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    # deferred: start-up time (every command module loads at start)
    from mockinterview.reports import export, save_report

    _path, transcript = load_for_command(args.transcript)
    if args.output and args.output != "-":
        out = Path(args.output).expanduser()
        if out.is_dir():
            raise CliError(f"{out}: is a directory; give a file name")
        try:
            # The report quotes the candidate: written 0600, like the transcript.
            save_report(transcript, args.fmt, out, include_model_calls=args.model_calls)
        except OSError as exc:
            raise CliError(f"{out}: cannot write ({exc.strerror or exc})") from None
        print(out)
    else:
        sys.stdout.write(export(transcript, args.fmt, include_model_calls=args.model_calls))
    return 0
