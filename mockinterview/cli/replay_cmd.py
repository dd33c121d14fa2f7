"""``mockinterview replay TRANSCRIPT...``: regrade saved sessions offline.

``--model stub`` regrades every answer with today's offline grader and rubric (what
changed since the session?); ``--model replay`` answers each grading request from
the calls recorded in the transcript, so an unchanged pipeline reproduces every grade
byte for byte, and any drift (prompt, rubric, parser) shows up as a replay miss
naming the first difference. Exits non-zero on a miss or an unreadable transcript.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass, field
from typing import Any

from mockinterview.cli.errors import CliError


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


@dataclass
class Row:
    turn_id: int
    question_id: str | None
    old_score: float
    new_score: float | None = None
    identical: bool = False
    changes: list[str] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "turn_id": self.turn_id,
            "question_id": self.question_id,
            "old_score": self.old_score,
            "new_score": self.new_score,
            "delta": round(self.new_score - self.old_score, 2) if self.new_score is not None else None,
            "identical": self.identical,
            "changes": self.changes,
            "error": self.error,
        }


@dataclass
class ReplayResult:
    source: str
    session_id: str = ""
    model: str = ""
    rows: list[Row] = field(default_factory=list)
    unused_calls: list[str] = field(default_factory=list)
    error: str | None = None  # a transcript-level failure (unreadable, pack missing)

    @property
    def misses(self) -> int:
        return sum(1 for r in self.rows if r.error)

    def to_json(self) -> dict[str, Any]:
        return {
            "transcript": self.source,
            "session_id": self.session_id,
            "model": self.model,
            "answers": len(self.rows),
            "identical": sum(1 for r in self.rows if r.identical),
            "changed": sum(1 for r in self.rows if r.new_score is not None and not r.identical),
            "misses": self.misses,
            "unused_calls": self.unused_calls,
            "error": self.error,
            "rows": [r.to_json() for r in self.rows],
        }


def describe_changes(old, new) -> list[str]:
    """Findings that differ between two grades, one short phrase each."""
    changes: list[str] = []
    old_cov = {k.id for k in old.key_points if k.covered}
    new_cov = {k.id for k in new.key_points if k.covered}
    changes += [f"+covered {k}" for k in sorted(new_cov - old_cov)]
    changes += [f"-covered {k}" for k in sorted(old_cov - new_cov)]
    old_m = {m.id for m in old.mistakes}
    new_m = {m.id for m in new.mistakes}
    changes += [f"+mistake {m}" for m in sorted(new_m - old_m)]
    changes += [f"-mistake {m}" for m in sorted(old_m - new_m)]
    changes += [f"+flag {f}" for f in sorted(set(new.flags) - set(old.flags))]
    changes += [f"-flag {f}" for f in sorted(set(old.flags) - set(new.flags))]
    if old.status != new.status:
        changes.append(f"status {old.status}->{new.status}")
    if not changes and old.model_dump_json() != new.model_dump_json():
        changes.append("details differ (evidence, feedback or rubric/prompt version)")
    return changes


async def replay_transcript(source: str, spec: str, pack_ref: str | None) -> ReplayResult:
    from mockinterview.engine.session import answer_text_for_grade
    from mockinterview.grading.checklist import remember_pack
    from mockinterview.grading.model_grader import ModelGrader
    from mockinterview.models import get_model
    from mockinterview.models.base import ReplayMiss
    from mockinterview.models.replay import ReplayProvider
    from mockinterview.packs.loader import PackLoadError, load_pack
    from mockinterview.storage.transcripts import TranscriptError, find_session, load_transcript

    result = ReplayResult(source=source, model=spec)
    try:
        transcript = load_transcript(find_session(source))
    except TranscriptError as exc:
        result.error = str(exc)
        return result
    result.session_id = transcript.meta.id
    try:
        pack = load_pack(pack_ref or transcript.meta.pack_id)
    except PackLoadError as exc:
        result.error = exc.one_line()
        return result
    remember_pack(pack)
    model = get_model(spec, source_transcript=transcript)
    # The same grader the session used: as many samples per answer, the same ladder.
    grader = ModelGrader(
        model, concurrency=1, samples=transcript.meta.grading_samples if spec == "replay" else 1
    )
    try:
        for record in transcript.grades:
            row = Row(turn_id=record.turn_id, question_id=record.question_id, old_score=record.grade.score)
            result.rows.append(row)
            try:
                question = pack.question(record.question_id or "")
            except KeyError:
                row.error = f"question {record.question_id!r} is not in pack {pack.id} {pack.version}"
                continue
            if not any(t.id == record.turn_id and t.kind == "answer" for t in transcript.turns):
                row.error = (
                    f"grade refers to turn {record.turn_id}, which is not an answer in this transcript"
                )
                continue
            answer = answer_text_for_grade(transcript, record.turn_id)
            # A replayed grade keeps its original grader label so it can be identical.
            label = record.grade.grader if spec == "replay" else None
            graded = await grader.grade(question, answer, pack, label=label)
            miss = next((o.error for o in graded.outcomes if isinstance(o.error, ReplayMiss)), None)
            if miss is not None:  # a recording that no longer matches is an error, never a fallback
                row.error = miss.message
                continue
            new = graded.grade
            row.new_score = new.score
            row.identical = new.model_dump_json() == record.grade.model_dump_json()
            row.changes = [] if row.identical else describe_changes(record.grade, new)
        if isinstance(model.provider, ReplayProvider):
            result.unused_calls = [c.id for c in model.provider.unused(purpose="grade")]
    finally:
        await model.aclose()
    return result


def run(args: argparse.Namespace) -> int:
    spec = getattr(args, "model", None) or "stub"
    if spec not in ("stub", "replay"):
        raise CliError(f"--model: replay regrades offline with 'stub' or 'replay', not {spec!r}")
    failures = asyncio.run(_replay_all(args.transcripts, spec, args.pack, args.format))
    for source, reason in failures:
        print(f"mockinterview: error: {source}: {reason}", file=sys.stderr)
    return 1 if failures else 0


async def _replay_all(sources: list[str], spec: str, pack_ref: str | None, fmt: str) -> list[tuple[str, str]]:
    """Replay and print one transcript at a time, so memory stays flat however many
    there are and results show as they come. Returns (source, reason) per failure."""
    failures: list[tuple[str, str]] = []
    console = _text_console() if fmt != "json" else None
    if fmt == "json":
        sys.stdout.write("[")
    for index, source in enumerate(sources):
        result = await replay_transcript(source, spec, pack_ref)
        if console is None:
            sys.stdout.write(",\n" if index else "\n")
            json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.flush()
        else:
            _print_text(result, console)
        if result.error or result.misses:
            failures.append((result.source, result.error or next(r.error for r in result.rows if r.error)))
    if fmt == "json":
        sys.stdout.write("\n]\n")
    return failures


def _text_console():
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = 130  # piped or captured: don't squeeze the table into 80 columns
    return console


def _fmt(score: float | None) -> str:
    return "-" if score is None else f"{score:.1f}"


def _print_text(r: ReplayResult, console) -> None:
    from rich.table import Table
    from rich.text import Text

    if r.error:
        console.print(Text(f"{r.source}: {r.error}", style="red"))
        return
    table = Table(title=f"{r.session_id} - regraded with {r.model}", title_justify="left")
    table.add_column("turn", justify="right")
    table.add_column("question")
    table.add_column("old", justify="right")
    table.add_column("new", justify="right")
    table.add_column("Δ", justify="right")
    table.add_column("what changed", overflow="fold")
    for row in r.rows:
        delta = "" if row.new_score is None else f"{row.new_score - row.old_score:+.1f}"
        if row.error:
            what = Text(row.error, style="red")
        elif row.identical:
            what = Text("identical", style="green")
        else:
            what = Text(", ".join(row.changes) or "changed", style="yellow")
        table.add_row(
            str(row.turn_id), row.question_id or "", _fmt(row.old_score), _fmt(row.new_score), delta, what
        )
    console.print(table)
    same = sum(1 for row in r.rows if row.identical)
    console.print(
        f"{len(r.rows)} answers: {same} identical, {len(r.rows) - same - r.misses} changed, {r.misses} misses"
    )
    if r.model == "replay":
        if r.unused_calls:
            console.print(
                Text(
                    f"{len(r.unused_calls)} recorded grading call(s) unused: {', '.join(r.unused_calls)}",
                    style="yellow",
                )
            )
        else:
            console.print("every recorded grading call was used")
