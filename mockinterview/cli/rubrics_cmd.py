"""``mockinterview rubrics lint [PATH]`` and ``mockinterview rubrics list``.

``lint`` validates one pack directory, or every pack under a directory (the bundled
packs by default), and prints every problem as ``pack/file: location: message``; the
exit code is 1 if any pack has a problem. It also prints warnings that do not fail the
lint but point at content the offline grader will handle badly: a phrase with no words
to match, or a reference answer that its own key points do not recognise.

``list`` shows each pack's version, content hash, rounds and question counts.
"""

from __future__ import annotations

import argparse
import json
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockinterview.cli.errors import CliError

if TYPE_CHECKING:
    from mockinterview.domain.pack import RolePack

# A reference answer graded below this by its own key points deserves a look.
REFERENCE_SELF_SCORE_WARNING = 3.5


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


@dataclass
class LintFinding:
    pack: str
    file: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.pack}/{self.file}" if self.file else self.pack
        if self.location:
            where += f": {self.location}"
        return f"{where}: {self.message}"


def _pack_dirs(path: str | None) -> list[Path]:
    from mockinterview.resources import pack_dirs, rubrics_dir

    root = Path(path) if path is not None else rubrics_dir()
    if not root.exists():
        raise CliError(f"{root}: no such directory")
    if not root.is_dir():
        raise CliError(f"{root}: not a directory (expected a pack directory with pack.toml)")
    if (root / "pack.toml").is_file():
        return [root]
    found = pack_dirs(root)
    if not found:
        raise CliError(f"{root}: no rubric pack here (no pack.toml in it or in its subdirectories)")
    return found


def _question_locations(pack_dir: Path) -> dict[str, tuple[str, str]]:
    """question id -> (file, "questions[i]"), read straight from the TOML files."""
    out: dict[str, tuple[str, str]] = {}
    for path in sorted((pack_dir / "questions").glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        items = data.get("questions")
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                out.setdefault(item["id"], (path.relative_to(pack_dir).as_posix(), f"questions[{i}]"))
    return out


def _grader_warnings(pack: RolePack, pack_dir: Path) -> list[LintFinding]:
    from mockinterview.grading import grade_answer
    from mockinterview.grading.matching import compile_phrase
    from mockinterview.grading.pack_check import pack_warnings

    name = pack_dir.name
    warnings = [LintFinding(name, w.file, w.location, w.message) for w in pack_warnings(pack)]

    def unmatchable(file: str, location: str, phrases: list[str]) -> list[LintFinding]:
        return [
            LintFinding(name, file, f"{location}[{j}]", "phrase has no words to match")
            for j, phrase in enumerate(phrases)
            if compile_phrase(phrase) is None
        ]

    locations = _question_locations(pack_dir)
    for q in pack.questions:
        file, loc = locations.get(q.id, ("questions/", f"question {q.id}"))
        for k, kp in enumerate(q.key_points):
            for field in ("expressions", "misconceptions"):
                warnings += unmatchable(file, f"{loc}.key_points[{k}].{field}", getattr(kp, field))
        grade = grade_answer(q.reference_answer, q, pack)
        if grade.score < REFERENCE_SELF_SCORE_WARNING:
            missed = ", ".join(kp.id for kp in grade.missed) or "none"
            warnings.append(
                LintFinding(
                    name,
                    file,
                    f"{loc}.reference_answer",
                    f"the offline grader scores the reference answer {grade.score} (missed key points: {missed}); "
                    "add expressions the reference actually uses",
                )
            )
    return warnings


def lint_pack(pack_dir: Path) -> tuple[list[LintFinding], list[LintFinding], RolePack | None]:
    """(problems, warnings, pack or None) for one pack directory."""
    from mockinterview.grading.pack_check import example_problems
    from mockinterview.packs.loader import PackLoadError, load_pack_dir

    try:
        pack = load_pack_dir(pack_dir)
    except PackLoadError as exc:
        problems = [LintFinding(pack_dir.name, p.file, p.location, p.message) for p in exc.problems]
        return problems or [LintFinding(pack_dir.name, "", "", "cannot be loaded")], [], None
    # Every example runs: one the grader gets wrong is a broken promise, so an error.
    problems = [LintFinding(pack_dir.name, p.file, p.location, p.message) for p in example_problems(pack)]
    return problems, _grader_warnings(pack, pack_dir), pack


def run_lint(args: argparse.Namespace) -> int:
    results = []
    any_problem = False
    for pack_dir in _pack_dirs(args.path):
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
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 1 if any_problem else 0
    for pack_dir, problems, warnings, pack in results:
        for p in problems:
            print(f"error: {p}")
        for w in warnings:
            print(f"warning: {w}")
        if problems:
            print(f"{pack_dir.name}: {len(problems)} problem(s) in {pack_dir}")
        else:
            note = f", {len(warnings)} warning(s)" if warnings else ""
            print(
                f"{pack_dir.name}: ok ({len(pack.questions)} questions, {len(pack.mistakes)} mistakes{note})"
            )
    return 1 if any_problem else 0


def _summary(pack_dir: Path) -> dict[str, Any]:
    from mockinterview.packs.loader import PackLoadError, load_pack_dir

    try:
        pack = load_pack_dir(pack_dir)
    except PackLoadError as exc:
        return {
            "id": pack_dir.name,
            "path": str(pack_dir),
            "error": f"{len(exc.problems)} problem(s); run lint",
        }
    rounds = [
        {
            "id": r.id,
            "title": r.title,
            "questions": len(pack.questions_for(r.id)),
            "default_questions": r.default_questions,
        }
        for r in pack.meta.rounds
    ]
    return {
        "id": pack.id,
        "name": pack.meta.name,
        "path": str(pack_dir),
        "version": pack.version,
        "content_hash": pack.content_hash,
        "questions": len(pack.questions),
        "mistakes": len(pack.mistakes),
        "rounds": rounds,
    }


def run_list(args: argparse.Namespace) -> int:
    summaries = [_summary(d) for d in _pack_dirs(args.path)]
    if args.format == "json":
        print(json.dumps(summaries, indent=2, ensure_ascii=False))
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    for s in summaries:
        if "error" in s:
            console.print(Text(f"{s['id']}: cannot be loaded ({s['error']})", style="red"))
            continue
        table = Table(title=Text(f"{s['name']} ({s['id']}) v{s['version']}"), title_justify="left")
        table.add_column("round")
        table.add_column("title")
        table.add_column("questions", justify="right")
        for r in s["rounds"]:
            table.add_row(Text(r["id"]), Text(r["title"]), str(r["questions"]))
        table.add_row(Text("total", style="bold"), Text(""), Text(str(s["questions"]), style="bold"))
        console.print(table)
        console.print(
            Text(
                f"{s['mistakes']} mistakes · content hash {s['content_hash'][:16]} · {s['path']}", style="dim"
            )
        )
    return 0
