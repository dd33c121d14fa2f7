"""Command-line entry point: ``mockinterview [COMMAND] ...``.

Each command lives in its own module with ``register(subparsers)``; registration
keeps imports light so that ``--help`` and the TUI's first paint stay fast. Heavy
modules (the openai SDK, Textual) are imported inside the command handlers.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from mockinterview import __version__
from mockinterview.errors import OneLineError
from mockinterview.terminal import terminal_safe

# One module per command group; each defines register(subparsers).
COMMAND_MODULES = (
    "mockinterview.cli.interview_cmd",
    "mockinterview.cli.grade_cmd",
    "mockinterview.cli.replay_cmd",
    "mockinterview.cli.retry_cmd",
    "mockinterview.cli.review_cmd",
    "mockinterview.cli.export_cmd",
    "mockinterview.cli.calibrate_cmd",
    "mockinterview.cli.history_cmd",
    "mockinterview.cli.rubrics_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockinterview",
        description="Rehearse data-science interviews in the terminal. With no command, opens the TUI.",
    )
    parser.add_argument("--version", action="version", version=f"mockinterview {__version__}")
    parser.add_argument("--model", default=None, help="stub (default, offline) or openai:NAME")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a command not built yet
            if exc.name == name:
                continue
            raise
        module.register(subparsers)
    return parser


def _open_tui(args: argparse.Namespace) -> int:
    from mockinterview.tui.app import run_app  # deferred: start-up time (every command module loads at start)

    return run_app(model=args.model)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "func", None)
    try:
        if handler is None:
            return _open_tui(args)
        return int(handler(args) or 0)
    except OneLineError as exc:  # CliError, ConfigError, ...
        # The reason often names data (a file, an id, a pack's text): never a raw escape.
        print(f"mockinterview: error: {terminal_safe(exc, one_line=True)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mockinterview: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # an unusable data/config dir, a full disk: say which path and why
        if os.environ.get("MOCKINTERVIEW_DEBUG"):
            raise
        print(f"mockinterview: error: {terminal_safe(_describe_os_error(exc), one_line=True)}", file=sys.stderr)
        return 1
    except Exception as exc:  # last resort: one line, never a traceback (set MOCKINTERVIEW_DEBUG=1 for one)
        if os.environ.get("MOCKINTERVIEW_DEBUG"):
            raise
        line = f"{type(exc).__name__}: {exc}".splitlines()[0]
        print(f"mockinterview: error: {terminal_safe(line, one_line=True)}", file=sys.stderr)
        return 1


def _describe_os_error(exc: OSError) -> str:
    reason = exc.strerror.lower() if exc.strerror else str(exc)
    if exc.filename is None:
        return f"cannot read or write a file: {reason}"
    where = f"{exc.filename}" + (f" -> {exc.filename2}" if exc.filename2 else "")
    hint = " (set MOCKINTERVIEW_DATA_DIR to a writable directory)" if exc.errno in (1, 13, 20, 30) else ""
    return f"cannot use {where}: {reason}{hint}".splitlines()[0]


if __name__ == "__main__":
    raise SystemExit(main())
