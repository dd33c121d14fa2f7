"""``mockinterview grade``: grade one answer, or a JSONL batch of them.

One answer::

    mockinterview grade --question-id when-ml-is-justified --answer-file answer.txt
    echo "..." | mockinterview grade --question "How do you pick a metric?" --reference "..."

Batch (one JSON line out per row in, in input order, flushed as it goes; a bad row gives an
error line and the run continues; the exit code is 1 if any row failed)::

    mockinterview grade --batch rows.jsonl [--workers N]

``--workers`` (default: every core) grades on that many processes (cli/parallel.py), each
starting with the pack loaded once; model graders grade in process.

The answer is only ever data: it is never rendered as a template or as terminal markup.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import difflib
import json
import sys
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from mockinterview.cli.common import load_pack_or_fail, open_input
from mockinterview.cli.errors import CliError
from mockinterview.cli.progress import progress

if TYPE_CHECKING:
    from mockinterview.domain.grade import Grade
    from mockinterview.domain.pack import Question, RolePack

MAX_ANSWER_BYTES = 1_000_000
MAX_LINE_BYTES = 2_000_000


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
        type=_positive_int,
        default=None,
        metavar="N",
        help="with --batch: grade on N processes, output still in input order (default: every core; "
        "model graders use 1)",
    )
    parser.add_argument("--pack", default=None, help="rubric pack id or directory (default: data-scientist)")
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


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def unknown_question_message(question_id: str, pack: RolePack) -> str:
    close = difflib.get_close_matches(question_id, [q.id for q in pack.questions], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown question id {question_id!r} in pack {pack.id}{hint}"


def _decode(raw: bytes, what: str) -> str:
    if b"\0" in raw:
        raise ValueError(f"{what} contains binary data (NUL bytes)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{what} is not UTF-8 text (byte {exc.start})") from None


class _Grader:
    """Grades with the offline grader, or with a model through the model grader (the
    ladder, the guards and the offline fallback) when asked. Model calls are recorded in
    ``log``; ``close()`` reports their tokens and cost on stderr."""

    def __init__(self, pack: RolePack, model_spec: str, matcher: str | None = None) -> None:
        from mockinterview.grading.question_match import MatcherUnavailable, resolve_matcher

        self.pack = pack
        self.model_spec = model_spec
        try:
            self.matcher = resolve_matcher(matcher)
        except (MatcherUnavailable, ValueError) as exc:
            raise CliError(str(exc)) from None
        self._model_grader = None
        self._runner = None
        self.log = None
        self.fallbacks = 0
        self.first_fallback_reason = ""
        if model_spec != "stub":
            from mockinterview.models import CallLog, ModelSpecError, get_model
            from mockinterview.models.base import ModelError

            self.log = CallLog()
            try:
                model = get_model(model_spec, log=self.log, on_notice=_notice)
            except (ModelSpecError, ModelError) as exc:
                raise CliError(str(exc)) from None
            from mockinterview.grading.model_grader import ModelGrader

            settings = model.settings
            samples = settings.endpoint().grading_samples if settings is not None else 1
            self._model_grader = ModelGrader(model, concurrency=1, samples=samples)
            # One event loop for every row: the client's connections and the model's
            # limits live on it.
            self._runner = asyncio.Runner()

    def bank(self, answer: str, question: Question) -> Grade:
        from mockinterview.grading import grade_answer

        if self._model_grader is None:
            return grade_answer(answer, question, self.pack)
        grade = self._runner.run(self._model_grader.grade(question, answer, self.pack)).grade
        if grade.status == "fallback":
            self.fallbacks += 1
            self.first_fallback_reason = self.first_fallback_reason or (grade.fallback_reason or "")
        return grade

    def free_text(self, answer: str, question_text: str, reference: str | None) -> Grade:
        from mockinterview.grading import find_question, grade_free_text

        if self._model_grader is not None and not reference:
            found = find_question(question_text, self.pack, self.matcher)
            if found.question is not None:
                return self.bank(answer, found.question).model_copy(update=found.grade_fields())
        if self._model_grader is not None:
            raise ValueError(
                "a model grader needs a bank question; questions with a reference are graded offline"
            )
        return grade_free_text(answer, question_text, self.pack, reference=reference, matcher=self.matcher)

    def close(self) -> None:
        if self._runner is None:
            return
        self._runner.run(self._model_grader.model.aclose())
        self._runner.close()
        self._runner = None
        if self.fallbacks:
            print(
                f"mockinterview: warning: {self.fallbacks} answer{'s' if self.fallbacks != 1 else ''} graded "
                f"offline, {self.model_spec} failed: {self.first_fallback_reason}",
                file=sys.stderr,
            )
        if self.log is not None and self.log.recorded:
            print(f"{self.model_spec}: {self.log.summary_line()}", file=sys.stderr)


def _notice(text: str) -> None:
    print(f"mockinterview: warning: {text}", file=sys.stderr)


# --------------------------------------------------------------------------- one answer


def _read_answer(source: str | None) -> str:
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
        return _decode(raw, where)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    model_spec = (getattr(args, "model", None) or "stub").strip()
    if args.batch is not None:
        if args.question_id or args.question or args.reference or args.answer_file:
            raise CliError("--batch takes questions and answers from the file; drop --question/--answer-file")
        pack = load_pack_or_fail(args.pack)
        grader = _Grader(pack, model_spec, args.matcher)
        from mockinterview.cli.parallel import default_workers

        workers = 1 if model_spec != "stub" else (args.workers or default_workers())
        if args.workers is not None and args.workers > 1 and model_spec != "stub":
            print(
                f"mockinterview: warning: --workers applies to the offline grader; {model_spec} grades in process",
                file=sys.stderr,
            )
        try:
            return run_batch(args.batch, pack, grader, sys.stdout, workers=workers)
        finally:
            grader.close()
    if not args.question_id and args.question is None:
        raise CliError("say which question: --question-id ID or --question TEXT (or use --batch)")
    if args.reference is not None and args.question_id:
        raise CliError("--reference goes with a free-text --question, not with --question-id")
    if args.question is not None and not args.question.strip():
        raise CliError("--question is empty")
    pack = load_pack_or_fail(args.pack)
    grader = _Grader(pack, model_spec, args.matcher)
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
        grader.close()
    if args.format == "json":
        print(json.dumps(grade.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        shown = question or (pack.question(grade.matched_question_id) if grade.matched_question_id else None)
        print_grade(grade, pack, question=shown, question_text=args.question, answer=answer)
    return 0


# --------------------------------------------------------------------------- text report


# Terminal control characters (C0 except tab/newline, DEL, C1) and bidi overrides from the
# answer are shown escaped ("\x1b"), never sent to the terminal: ESC[2J, OSC 52 and
# friends must not clear the screen or write the clipboard.
_UNSAFE = [*range(0, 9), *range(11, 32), *range(127, 160), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_SAFE_TABLE = {c: f"\\x{c:02x}" if c < 256 else f"\\u{c:04x}" for c in _UNSAFE}


def safe_text(text: str) -> str:
    return text.translate(_SAFE_TABLE)


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
    from rich.console import Console
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    console = console or Console(highlight=False)
    head = Text()
    head.append(f"{grade.score:.1f} / 5", style=_score_style(grade.score))
    head.append(f"   grader {grade.grader} · rubric {grade.rubric_id} {grade.rubric_version}", style="dim")
    if question is not None:
        head.append("\n")
        head.append(safe_text(question.text), style="italic")
        head.append(f"  [{question.id}]", style="dim")
    elif question_text:
        head.append("\n")
        head.append(safe_text(question_text), style="italic")
    if question_text and grade.match_similarity is not None:
        head.append("\n")
        if grade.matched_question_id:
            head.append(f"matched bank question {grade.matched_question_id} ", style="cyan")
        else:
            head.append("no bank question matched ", style="cyan")
        head.append(f"(similarity {grade.match_similarity:.2f}", style="dim")
        if grade.matched_question_id and grade.runner_up_question_id:
            head.append(
                f"; runner-up {grade.runner_up_question_id} {grade.runner_up_similarity or 0.0:.2f}", style="dim"
            )
        elif grade.runner_up_question_id:
            head.append(
                f"; nearest {grade.runner_up_question_id} {grade.runner_up_similarity or 0.0:.2f}", style="dim"
            )
        head.append(f"; matcher {grade.matcher})" if grade.matcher else ")", style="dim")
    if grade.flags:
        head.append("\n")
        head.append("flags: " + ", ".join(grade.flags), style="bold magenta")
    certainty = grade.certainty_line()
    if certainty:
        head.append("\n")
        risky = grade.status == "fallback" or grade.insufficient_evidence
        head.append(safe_text(certainty), style="bold yellow" if risky else "dim")
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
            body = Text(safe_text(kp.text))
            if kp.credit is not None and not kp.covered and kp.credit > 0:
                body.append(f"  (partial {kp.credit:.0%})", style="dim")
            if kp.covered and kp.evidence:
                body.append(f"\n“{safe_text(kp.evidence)}”", style="dim green")
            if kp.misconception:
                body.append("\nstated wrongly: ", style="red")
                body.append(f"“{safe_text(kp.misconception)}”", style="dim")
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
            body = Text(mistake.title if mistake else finding.id, style="bold")
            body.append(f"  ({finding.id})", style="dim")
            body.append(f"\nyou said: “{safe_text(finding.evidence)}”", style="italic")
            if mistake is not None:
                body.append("\nwhy it matters: ", style="bold")
                body.append(mistake.why_it_costs)
                body.append("\nhow to fix: ", style="bold cyan")
                body.append(mistake.how_to_fix, style="cyan")
            grid.add_row(Text("!", style="bold red"), body)
        console.print(grid)
    if grade.behavioral:
        console.print(Text("Story structure", style="bold underline"))
        line = Text()
        for check in grade.behavioral:
            line.append(
                ("✓ " if check.present else "✗ ") + check.id + "   ",
                style="green" if check.present else "red",
            )
        console.print(Padding(line, (0, 0, 0, 2)))
    if grade.feedback:
        console.print(Text("Feedback", style="bold underline"))
        console.print(Padding(Text(safe_text(grade.feedback)), (0, 0, 0, 2)))


# --------------------------------------------------------------------------- batch


class RowError(ValueError):
    pass


def batch_row_result(grade: Grade, row_id: Any) -> dict[str, Any]:
    return {
        "id": row_id,
        "question_id": grade.question_id,
        "score": grade.score,
        "mistakes": [{"id": m.id, "evidence": m.evidence} for m in grade.mistakes],
        "key_points": {"covered": [k.id for k in grade.covered], "missed": [k.id for k in grade.missed]},
        "matched_question_id": grade.matched_question_id,
        "match_similarity": grade.match_similarity,
        "runner_up_question_id": grade.runner_up_question_id,
        "runner_up_similarity": grade.runner_up_similarity,
        "matcher": grade.matcher,
        "flags": grade.flags,
        "grader": grade.grader,
        "rubric_version": grade.rubric_version,
    }


def _optional_str(row: dict[str, Any], key: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RowError(f'"{key}" must be a string, got {type(value).__name__}')
    return value


def grade_row(row: Any, grader: _Grader) -> Grade:
    """Grade one parsed batch row; RowError with a one-line reason on bad input."""
    if not isinstance(row, dict):
        raise RowError(f"expected a JSON object, got {type(row).__name__}")
    if "answer" not in row or row["answer"] is None:
        raise RowError('missing "answer"')
    answer = _optional_str(row, "answer") or ""
    question_id = _optional_str(row, "question_id")
    question_text = _optional_str(row, "question")
    reference = _optional_str(row, "reference")
    if question_id:
        try:
            question = grader.pack.question(question_id)
        except KeyError:
            raise RowError(unknown_question_message(question_id, grader.pack)) from None
        return grader.bank(answer, question)
    if question_text and question_text.strip():
        return grader.free_text(answer, question_text, reference)
    raise RowError('needs "question_id" or a non-empty "question"')


def _row_id(row: Any) -> Any:
    if isinstance(row, dict):
        value = row.get("id")
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return value
    return None


def _open_batch(source: str) -> BinaryIO:
    if source == "-":
        return sys.stdin.buffer
    return open_input(Path(source), "a JSONL file")


def _bounded_lines(stream: BinaryIO) -> Iterator[bytes | None]:
    """Lines of at most MAX_LINE_BYTES; a longer line is skipped in chunks and yields None,
    so one giant line cannot take the memory of the whole file."""
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while True:
                rest = stream.readline(MAX_LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
        else:
            yield line


def _grade_line(number: int, raw: bytes | None, grader: _Grader) -> tuple[str, str | None]:
    """One batch line: (the JSON line to write, the one-line reason when the row failed)."""
    row: Any = None
    try:
        if raw is None:
            raise RowError(f"line is longer than {MAX_LINE_BYTES} bytes")
        try:
            text = _decode(raw, "row")
        except ValueError as exc:
            raise RowError(str(exc)) from None
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RowError(f"malformed JSON ({exc.msg} at column {exc.colno})") from None
        result = batch_row_result(grade_row(row, grader), _row_id(row))
        return json.dumps(result, ensure_ascii=False), None
    except (RowError, ValueError, TypeError) as exc:
        message = f"line {number}: {exc}"
        return json.dumps({"id": _row_id(row), "error": message}, ensure_ascii=False), message


# A worker process's grader: built once per worker by _start_worker (the pack is loaded once).
_WORKER: dict[str, _Grader] = {}


def _start_worker(pack: RolePack, matcher: str) -> None:
    from mockinterview.grading.heuristic import compiled

    _WORKER["grader"] = _Grader(pack, "stub", matcher)
    compiled(pack)


def _grade_item(item: tuple[int, bytes | None]) -> tuple[str, str | None]:
    return _grade_line(item[0], item[1], _WORKER["grader"])


def _grade_chunk(chunk: list[tuple[int, bytes | None]]) -> list:
    from mockinterview.cli.parallel import run_chunk

    return run_chunk(_grade_item, chunk)


def run_batch(source: str, pack: RolePack, grader: _Grader, out, *, workers: int = 1) -> int:
    """Grade every row, writing one line per row in input order; returns 1 if any row
    failed, else 0. With ``workers`` > 1 the offline grader runs on that many processes
    (cli/parallel.py); rows, results and errors are the same as with one."""
    from mockinterview.cli.parallel import stream_in_order

    failures = 0
    rows = 0
    stream = _open_batch(source)
    # A progress bar on a terminal (streamed rows: a count and a rate, no total). Each line
    # is flushed as it is written, so Ctrl-C leaves every row graded so far on stdout.
    bar = contextlib.ExitStack()
    advance = bar.enter_context(progress(None, "grading", "rows"))

    def lines():
        nonlocal rows
        for number, raw in enumerate(_bounded_lines(stream), start=1):
            if raw is not None and not raw.strip():
                continue
            rows += 1
            yield number, raw

    def emit(result: tuple[str, str | None]) -> None:
        nonlocal failures
        line, problem = result
        if problem is not None:
            failures += 1
            print(f"mockinterview: {source}: {problem}", file=sys.stderr, flush=True)
        out.write(line + "\n")
        out.flush()
        advance(1)

    if workers > 1:
        from mockinterview.grading.heuristic import compiled

        compiled(pack)  # once, here: forked workers start with it
    try:
        stream_in_order(
            lines(),
            local=lambda item: _grade_line(item[0], item[1], grader),
            remote=_grade_chunk,
            emit=emit,
            workers=workers,
            initializer=_start_worker,
            initargs=(pack, grader.matcher),
            weight=lambda item: len(item[1] or b"") + 1,
        )
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
    if rows == 0:
        print(f"mockinterview: {source}: no rows", file=sys.stderr)
    return 1 if failures else 0
