"""``mockinterview grade``: grade one answer, or a JSONL batch of them.

One answer::

    mockinterview grade --question-id when-ml-is-justified --answer-file answer.txt
    echo "..." | mockinterview grade --question "How do you pick a metric?" --reference "..."

Batch (one JSON line out per row in, in input order, flushed as it goes; a bad row gives an
error line and the run continues; the exit code is 1 if any row failed)::

    mockinterview grade --batch rows.jsonl [--workers N]

``--workers`` (default: every core) grades on that many processes (engine/parallel.py), each
starting with the pack loaded once; model graders grade in process. The grading itself is
``engine.grade`` (the service); this module parses, calls it and renders.

The answer is only ever data: it is never rendered as a template or as terminal markup.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from mockinterview.cli.common import load_pack_or_fail, open_input, whole_number
from mockinterview.cli.errors import CliError
from mockinterview.cli.progress import progress
from mockinterview.domain.rounds import DEFAULT_PACK_ID
from mockinterview.terminal import json_terminal_safe, terminal_safe

if TYPE_CHECKING:
    from mockinterview.domain.grade import Grade
    from mockinterview.domain.pack import Question, RolePack
    from mockinterview.engine.grade import GradingService, GradingSummary, RowOutcome

MAX_ANSWER_BYTES = 1_000_000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "grade",
        help="grade one answer (or a JSONL batch) with the offline rubric grader",
        description=(
            "Grade an answer to a bank question (--question-id) or to a free-text question (--question, "
            "matched to the bank and reported with its similarity; with --reference, graded against that "
            "reference and the general rubric). The answer comes from --answer-file or stdin. "
            "--batch IN.jsonl grades rows {id, question or question_id, answer, reference?} and streams "
            "one JSON line per row."
        ),
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--question-id", metavar="ID", help="id of a question in the pack's bank")
    which.add_argument("--question", metavar="TEXT", help="free-text question, matched to the bank")
    parser.add_argument(
        "--reference", metavar="TEXT", help="reference answer for a question outside the bank"
    )
    parser.add_argument(
        "--answer-file", metavar="F", help="file holding the answer, or - for stdin (default)"
    )
    parser.add_argument("--batch", metavar="IN.jsonl", help="grade every row of a JSONL file (- for stdin)")
    parser.add_argument(
        "--workers",
        type=whole_number(1),
        default=None,
        metavar="N",
        help="with --batch: grade on N processes, output still in input order (default: every core; "
        "model graders use 1)",
    )
    parser.add_argument("--pack", default=None, help=f"rubric pack id or directory (default: {DEFAULT_PACK_ID})")
    parser.add_argument(
        "--matcher",
        choices=("auto", "tfidf", "semantic"),
        default=None,
        help="how a free-text --question finds its bank question: tfidf (default install), semantic "
        "(needs mockinterview[semantic]) or auto, the semantic one when installed "
        "(default: $MOCKINTERVIEW_MATCHER or auto)",
    )
    parser.add_argument("--format", choices=("text", "json"), default=None, help="output format")
    # SUPPRESS: do not overwrite a `mockinterview --model X grade` given before the command.
    parser.add_argument(
        "--model", default=argparse.SUPPRESS, help="grader: stub (default, offline) or openai:NAME"
    )
    parser.set_defaults(func=run)


# --------------------------------------------------------------------------- shared helpers


def _notice(text: str) -> None:
    print(f"mockinterview: warning: {terminal_safe(text, one_line=True)}", file=sys.stderr)


def report_summary(summary: GradingSummary) -> None:
    """On stderr: how many answers fell back to the offline grader, and the model calls' cost."""
    if summary.fallbacks:
        print(
            f"mockinterview: warning: {summary.fallbacks} answer{'s' if summary.fallbacks != 1 else ''} graded "
            f"offline, {terminal_safe(f'{summary.model_spec} failed: {summary.first_fallback_reason}', one_line=True)}",
            file=sys.stderr,
        )
    if summary.calls_line:
        print(terminal_safe(f"{summary.model_spec}: {summary.calls_line}", one_line=True), file=sys.stderr)


def grading_service(pack: RolePack, model_spec: str, matcher: str | None = None) -> GradingService:
    # Here, not at the top: the graders and the model client are not needed for `--help`
    # or the TUI's start, which import every command module (measured: bench/tui_startup.py).
    from mockinterview.engine.grade import GradingService

    return GradingService(pack, model_spec, matcher, on_notice=_notice)


# --------------------------------------------------------------------------- one answer


def _read_answer(source: str | None) -> str:
    from mockinterview.engine.grade import decode_text  # start-up time: see grading_service

    if source in (None, "-"):
        if sys.stdin is None or sys.stdin.isatty():
            raise CliError("no answer given: pass --answer-file FILE or pipe the answer on stdin")
        raw = sys.stdin.buffer.read(MAX_ANSWER_BYTES + 1)
        where = "stdin"
    else:
        path = Path(source)
        with open_input(path, "a text file") as fh:
            raw = fh.read(MAX_ANSWER_BYTES + 1)
        where = str(path)
    if len(raw) > MAX_ANSWER_BYTES:
        raise CliError(f"{where}: answer is larger than {MAX_ANSWER_BYTES} bytes")
    try:
        return decode_text(raw, where)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from mockinterview.engine.grade import unknown_question_message  # start-up time: see grading_service
    from mockinterview.engine.parallel import default_workers

    model_spec = (getattr(args, "model", None) or "stub").strip()
    if args.batch is not None:
        if args.question_id or args.question or args.reference or args.answer_file:
            raise CliError("--batch takes questions and answers from the file; drop --question/--answer-file")
        pack = load_pack_or_fail(args.pack)
        grader = grading_service(pack, model_spec, args.matcher)
        workers = 1 if model_spec != "stub" else (args.workers or default_workers())
        if args.workers is not None and args.workers > 1 and model_spec != "stub":
            print(
                f"mockinterview: warning: --workers applies to the offline grader; {model_spec} grades in process",
                file=sys.stderr,
            )
        try:
            return run_batch(args.batch, pack, grader, sys.stdout, workers=workers)
        finally:
            report_summary(grader.close())
    if not args.question_id and args.question is None:
        raise CliError("say which question: --question-id ID or --question TEXT (or use --batch)")
    if args.reference is not None and args.question_id:
        raise CliError("--reference goes with a free-text --question, not with --question-id")
    if args.question is not None and not args.question.strip():
        raise CliError("--question is empty")
    pack = load_pack_or_fail(args.pack)
    grader = grading_service(pack, model_spec, args.matcher)
    question = None
    if args.question_id:
        try:
            question = pack.question(args.question_id)
        except KeyError:
            raise CliError(unknown_question_message(args.question_id, pack)) from None
    answer = _read_answer(args.answer_file)
    try:
        if question is not None:
            grade = grader.bank(answer, question)
        else:
            grade = grader.free_text(answer, args.question, args.reference)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    finally:
        report_summary(grader.close())
    if args.format == "json":
        print(json_terminal_safe(json.dumps(grade.model_dump(mode="json"), ensure_ascii=False, indent=2)))
    else:
        shown = question or (pack.question(grade.matched_question_id) if grade.matched_question_id else None)
        print_grade(grade, pack, question=shown, question_text=args.question, answer=answer)
    return 0


# --------------------------------------------------------------------------- text report


def _score_style(score: float) -> str:
    return "bold green" if score >= 4.0 else "bold yellow" if score >= 3.0 else "bold red"


def print_grade(
    grade: Grade,
    pack: RolePack,
    *,
    question: Question | None,
    question_text: str | None,
    answer: str,
    console=None,
) -> None:
    """A readable report. Everything from the answer goes in as rich ``Text`` (never markup)."""
    from rich.console import Console  # deferred: start-up time (every command module loads at start)
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    console = console or Console(highlight=False)
    head = Text()
    head.append(f"{grade.score:.1f} / 5", style=_score_style(grade.score))
    ts = terminal_safe  # every string below comes from the answer, the pack or a model
    head.append(ts(f"   grader {grade.grader} · rubric {grade.rubric_id} {grade.rubric_version}"), style="dim")
    if question is not None:
        head.append("\n")
        head.append(terminal_safe(question.text), style="italic")
        head.append(ts(f"  [{question.id}]"), style="dim")
    elif question_text:
        head.append("\n")
        head.append(terminal_safe(question_text), style="italic")
    if question_text and grade.match_similarity is not None:
        head.append("\n")
        if grade.matched_question_id:
            head.append(ts(f"matched bank question {grade.matched_question_id} "), style="cyan")
        else:
            head.append("no bank question matched ", style="cyan")
        head.append(f"(similarity {grade.match_similarity:.2f}", style="dim")
        if grade.matched_question_id and grade.runner_up_question_id:
            head.append(
                ts(f"; runner-up {grade.runner_up_question_id} {grade.runner_up_similarity or 0.0:.2f}"), style="dim"
            )
        elif grade.runner_up_question_id:
            head.append(
                ts(f"; nearest {grade.runner_up_question_id} {grade.runner_up_similarity or 0.0:.2f}"), style="dim"
            )
        head.append(ts(f"; matcher {grade.matcher})") if grade.matcher else ")", style="dim")
    if grade.flags:
        head.append("\n")
        head.append(ts("flags: " + ", ".join(grade.flags)), style="bold magenta")
    certainty = grade.certainty_line()
    if certainty:
        head.append("\n")
        risky = grade.status == "fallback" or grade.insufficient_evidence
        head.append(terminal_safe(certainty), style="bold yellow" if risky else "dim")
    console.print(Panel(head, title="mockinterview grade", title_align="left", expand=False))

    if grade.key_points:
        console.print(Text("Key points", style="bold underline"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=3, justify="right")
        grid.add_column(ratio=1)
        for kp in grade.key_points:
            if kp.covered:
                mark = Text("✓", style="green")
            elif kp.misconception:
                mark = Text("✗", style="red")
            else:
                mark = Text("·", style="yellow")
            body = Text(terminal_safe(kp.text))
            if kp.credit is not None and not kp.covered and kp.credit > 0:
                body.append(f"  (partial {kp.credit:.0%})", style="dim")
            if kp.covered and kp.evidence:
                body.append(f"\n“{terminal_safe(kp.evidence)}”", style="dim green")
            if kp.misconception:
                body.append("\nstated wrongly: ", style="red")
                body.append(f"“{terminal_safe(kp.misconception)}”", style="dim")
            grid.add_row(mark, body)
        console.print(grid)
    if grade.mistakes:
        console.print(Text("Mistakes", style="bold underline"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=3, justify="right")
        grid.add_column(ratio=1)
        for finding in grade.mistakes:
            try:
                mistake = pack.mistake(finding.id)
            except KeyError:
                mistake = None
            body = Text(ts(mistake.title if mistake else finding.id), style="bold")
            body.append(ts(f"  ({finding.id})"), style="dim")
            body.append(f"\nyou said: “{terminal_safe(finding.evidence)}”", style="italic")
            if mistake is not None:
                body.append("\nwhy it matters: ", style="bold")
                body.append(ts(mistake.why_it_costs))
                body.append("\nhow to fix: ", style="bold cyan")
                body.append(ts(mistake.how_to_fix), style="cyan")
            grid.add_row(Text("!", style="bold red"), body)
        console.print(grid)
    if grade.behavioral:
        console.print(Text("Story structure", style="bold underline"))
        line = Text()
        for check in grade.behavioral:
            line.append(
                ts(("✓ " if check.present else "✗ ") + check.id + "   "),
                style="green" if check.present else "red",
            )
        console.print(Padding(line, (0, 0, 0, 2)))
    if grade.feedback:
        console.print(Text("Feedback", style="bold underline"))
        console.print(Padding(Text(terminal_safe(grade.feedback)), (0, 0, 0, 2)))


# --------------------------------------------------------------------------- batch


def _open_batch(source: str) -> BinaryIO:
    if source == "-":
        return sys.stdin.buffer
    return open_input(Path(source), "a JSONL file")


def run_batch(source: str, pack: RolePack, grader: GradingService, out, *, workers: int = 1) -> int:
    """Grade every row (engine.grade.grade_batch), writing one line per row in input order;
    returns 1 if any row failed, else 0."""
    from concurrent.futures.process import BrokenProcessPool  # start-up: it imports multiprocessing

    from mockinterview.engine.grade import bounded_lines, grade_batch  # start-up time: see grading_service

    stream = _open_batch(source)
    # A progress bar on a terminal (streamed rows: a count and a rate, no total). Each line
    # is flushed as it is written, so Ctrl-C leaves every row graded so far on stdout.
    bar = contextlib.ExitStack()
    advance = bar.enter_context(progress(None, "grading", "rows"))

    def emit(outcome: RowOutcome) -> None:
        if outcome.error is not None:
            print(terminal_safe(f"mockinterview: {source}: {outcome.error}", one_line=True), file=sys.stderr, flush=True)
        # What a row holds (a lone surrogate, C1, bidi marks) is written as JSON escapes.
        out.write(json_terminal_safe(json.dumps(outcome.to_json(), ensure_ascii=False)) + "\n")
        out.flush()
        advance(1)

    try:
        summary = grade_batch(bounded_lines(stream), grader, emit, workers=workers)
    except OSError as exc:
        raise CliError(f"{source}: cannot read ({exc.strerror or exc})") from None
    except BrokenProcessPool:
        raise CliError(
            f"{source}: a grading worker process died; the rows after the last result were not graded"
        ) from None
    finally:
        bar.close()
        if stream is not sys.stdin.buffer:
            stream.close()
    if summary.rows == 0:
        print(terminal_safe(f"mockinterview: {source}: no rows", one_line=True), file=sys.stderr)
    return 1 if summary.failures else 0
