"""``mockinterview rubrics lint [PATH]`` and ``mockinterview rubrics list``: parse, call
``engine.pack_lint``, render.

``lint`` validates one pack directory, or every pack under a directory (the bundled
packs by default), and prints every problem as ``pack/file: location: message``; the
exit code is 1 if any pack has a problem. Warnings (content the offline grader will
handle badly) do not fail the lint.

``list`` shows each pack's version, content hash, rounds, question counts and question ids.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from mockinterview.terminal import json_terminal_safe, terminal_safe


def _line(text: object) -> str:
    """A line of pack data for the terminal: no raw escape, no forged line break."""
    return terminal_safe(text, one_line=True)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("rubrics", help="validate and list rubric packs")
    sub = parser.add_subparsers(dest="rubrics_command", metavar="SUBCOMMAND")
    lint = sub.add_parser(
        "lint",
        help="validate a rubric pack and report every problem with its location",
        description="Validate a pack directory, or every pack under a directory (default: the bundled packs).",
    )
    lint.add_argument(
        "path", nargs="?", default=None, metavar="PATH", help="pack directory or directory of packs"
    )
    lint.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    lint.set_defaults(func=run_lint)
    listing = sub.add_parser("list", help="show packs, rounds, question counts, version and content hash")
    listing.add_argument(
        "path", nargs="?", default=None, metavar="PATH", help="directory of packs (default: bundled)"
    )
    listing.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    listing.set_defaults(func=run_list)
    parser.set_defaults(func=lambda args: _no_subcommand(parser))


def _no_subcommand(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def run_lint(args: argparse.Namespace) -> int:
    # Here, not at the top: the grader and the pack models are not needed for `--help`.
    from mockinterview.engine.pack_lint import find_pack_dirs, lint_pack

    results = []
    any_problem = False
    for pack_dir in find_pack_dirs(args.path):
        problems, warnings, pack = lint_pack(pack_dir)
        any_problem = any_problem or bool(problems)
        results.append((pack_dir, problems, warnings, pack))
    if args.format == "json":
        payload = [
            {
                "pack": pack_dir.name,
                "path": str(pack_dir),
                "ok": not problems,
                "problems": [asdict(p) for p in problems],
                "warnings": [asdict(w) for w in warnings],
                "questions": len(pack.questions) if pack else None,
            }
            for pack_dir, problems, warnings, pack in results
        ]
        print(json_terminal_safe(json.dumps(payload, indent=2, ensure_ascii=False)))
        return 1 if any_problem else 0
    for pack_dir, problems, warnings, pack in results:
        for p in problems:
            print(f"error: {_line(p)}")
        for w in warnings:
            print(f"warning: {_line(w)}")
        if problems:
            print(_line(f"{pack_dir.name}: {len(problems)} problem(s) in {pack_dir}"))
        else:
            note = f", {len(warnings)} warning(s)" if warnings else ""
            print(
                _line(f"{pack_dir.name}: ok ({len(pack.questions)} questions, {len(pack.mistakes)} mistakes{note})")
            )
    return 1 if any_problem else 0


def run_list(args: argparse.Namespace) -> int:
    # deferred: start-up time (every command module loads at start)
    from mockinterview.engine.pack_lint import find_pack_dirs, pack_summary

    summaries = [pack_summary(d) for d in find_pack_dirs(args.path)]
    if args.format == "json":
        print(json_terminal_safe(json.dumps(summaries, indent=2, ensure_ascii=False)))
        return 0
    from rich.table import Table  # deferred: start-up time (every command module loads at start)
    from rich.text import Text

    # deferred: start-up time (every command module loads at start)
    from mockinterview.cli.tables import text_console

    console = text_console()
    for s in summaries:
        if "error" in s:
            console.print(Text(_line(f"{s['id']}: cannot be loaded ({s['error']})"), style="red"))
            continue
        table = Table(
            title=Text(_line(f"{s['name']} ({s['id']}) v{s['version']}")),
            title_justify="left",
            caption="grade one answer: mockinterview grade --question-id ID --answer-file FILE",
            caption_justify="left",
        )
        table.add_column("round", max_width=20)
        table.add_column("questions", justify="right", no_wrap=True)
        # The ids are what `grade --question-id` and `interview` take: they wrap, never cut.
        table.add_column("question ids", ratio=1, overflow="fold")
        for r in s["rounds"]:
            table.add_row(
                Text(_line(r["id"])) + Text(f"\n{_line(r['title'])}", style="dim"),
                str(r["questions"]),
                Text(_line(", ".join(r["question_ids"]))),
            )
        table.add_row(Text("total", style="bold"), Text(str(s["questions"]), style="bold"), Text(""))
        console.print(table)
        console.print(
            Text(
                _line(f"{s['mistakes']} mistakes · content hash {s['content_hash'][:16]} · {s['path']}"), style="dim"
            )
        )
    return 0
