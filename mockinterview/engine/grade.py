"""Grade free text and batches of answers: the service behind ``mockinterview grade``.

``GradingService`` grades one answer with the offline grader, or with a model through the
model grader (the ladder, the guards and the offline fallback) when asked; ``grade_batch``
grades a JSONL stream of rows ``{id, question or question_id, answer, reference?}`` into one
``RowOutcome`` per row, in input order, on several processes when asked (engine/parallel.py).
A bad row is an outcome with a one-line error, never an exception. The caller parses its
input, calls these and renders what they return.

The answer is only ever data: it is never rendered as a template or as terminal markup.
"""

from __future__ import annotations

import asyncio
import difflib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from mockinterview.domain.grade import Grade
from mockinterview.domain.pack import Question, RolePack
from mockinterview.engine.parallel import run_chunk, stream_in_order
from mockinterview.errors import OneLineError
from mockinterview.grading import find_question, grade_answer, grade_free_text
from mockinterview.grading.heuristic import compiled
from mockinterview.grading.question_match import MatcherUnavailable, resolve_matcher

if TYPE_CHECKING:
    from mockinterview.grading.model_grader import ModelGrader
    from mockinterview.models import CallLog

MAX_LINE_BYTES = 2_000_000


class GraderSetupError(OneLineError):
    """The grader asked for cannot be built (an unknown matcher or model); one-line reason."""


def unknown_question_message(question_id: str, pack: RolePack) -> str:
    close = difflib.get_close_matches(question_id, [q.id for q in pack.questions], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown question id {question_id!r} in pack {pack.id}{hint}"


def decode_text(raw: bytes, what: str) -> str:
    """UTF-8 text, or ValueError naming ``what`` when it is binary or another encoding."""
    if b"\0" in raw:
        raise ValueError(f"{what} contains binary data (NUL bytes)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{what} is not UTF-8 text (byte {exc.start})") from None


@dataclass(frozen=True)
class GradingSummary:
    """What a service's model calls came to, once it is closed (all empty for the offline grader)."""

    model_spec: str
    fallbacks: int = 0
    first_fallback_reason: str = ""
    calls_line: str = ""  # tokens and cost of the recorded model calls, "" when none


class GradingService:
    """Grades with the offline grader, or with a model through the model grader when
    ``model_spec`` is not ``stub``. Model calls are recorded in ``log``; ``close()`` ends the
    model's client and returns their ``GradingSummary``."""

    def __init__(
        self,
        pack: RolePack,
        model_spec: str,
        matcher: str | None = None,
        *,
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        self.pack = pack
        self.model_spec = model_spec
        try:
            self.matcher = resolve_matcher(matcher)
        except (MatcherUnavailable, ValueError) as exc:
            raise GraderSetupError(str(exc)) from None
        self._model_grader: ModelGrader | None = None
        self._runner: asyncio.Runner | None = None
        self.log: CallLog | None = None
        self.fallbacks = 0
        self.first_fallback_reason = ""
        if model_spec != "stub":
            # deferred: the offline grader (and every batch worker) needs no model layer
            from mockinterview.grading.model_grader import ModelGrader
            from mockinterview.models import CallLog, ModelSpecError, get_model
            from mockinterview.models.base import ModelError

            self.log = CallLog()
            try:
                model = get_model(model_spec, log=self.log, on_notice=on_notice)
            except (ModelSpecError, ModelError) as exc:
                raise GraderSetupError(str(exc)) from None
            settings = model.settings
            samples = settings.endpoint().grading_samples if settings is not None else 1
            self._model_grader = ModelGrader(model, concurrency=1, samples=samples)
            # One event loop for every row: the client's connections and the model's
            # limits live on it.
            self._runner = asyncio.Runner()

    @property
    def uses_model(self) -> bool:
        return self._model_grader is not None

    def bank(self, answer: str, question: Question) -> Grade:
        if self._model_grader is None:
            return grade_answer(answer, question, self.pack)
        assert self._runner is not None
        grade = self._runner.run(self._model_grader.grade(question, answer, self.pack)).grade
        if grade.status == "fallback":
            self.fallbacks += 1
            self.first_fallback_reason = self.first_fallback_reason or (grade.fallback_reason or "")
        return grade

    def free_text(self, answer: str, question_text: str, reference: str | None) -> Grade:
        """A free-text question: matched to the bank (and graded as that question by a model
        grader), or graded offline against ``reference`` and the general rubric. ValueError
        when a model grader is asked to grade a question outside the bank."""
        if self._model_grader is not None and not reference:
            found = find_question(question_text, self.pack, self.matcher)
            if found.question is not None:
                return self.bank(answer, found.question).model_copy(update=found.grade_fields())
        if self._model_grader is not None:
            raise ValueError(
                "a model grader needs a bank question; questions with a reference are graded offline"
            )
        return grade_free_text(answer, question_text, self.pack, reference=reference, matcher=self.matcher)

    def close(self) -> GradingSummary:
        if self._runner is not None and self._model_grader is not None:
            self._runner.run(self._model_grader.model.aclose())
            self._runner.close()
            self._runner = None
        calls = self.log.summary_line() if self.log is not None and self.log.recorded else ""
        return GradingSummary(self.model_spec, self.fallbacks, self.first_fallback_reason, calls)


# --------------------------------------------------------------------------- batch


class RowError(ValueError):
    pass


@dataclass(frozen=True)
class RowOutcome:
    """One batch row's result: ``result`` (the row's JSON fields) or ``error`` (a one-line
    reason starting with its line number)."""

    row_id: Any
    result: dict[str, Any] | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return self.result if self.result is not None else {"id": self.row_id, "error": self.error}


@dataclass
class BatchSummary:
    rows: int = 0
    failures: int = 0


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


def grade_row(row: Any, grader: GradingService) -> Grade:
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


def bounded_lines(stream: BinaryIO) -> Iterator[bytes | None]:
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


def grade_line(number: int, raw: bytes | None, grader: GradingService) -> RowOutcome:
    """One batch line (None: a line too long to read) graded, or the reason it could not be."""
    row: Any = None
    try:
        if raw is None:
            raise RowError(f"line is longer than {MAX_LINE_BYTES} bytes")
        try:
            text = decode_text(raw, "row")
        except ValueError as exc:
            raise RowError(str(exc)) from None
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RowError(f"malformed JSON ({exc.msg} at column {exc.colno})") from None
        except RecursionError:
            raise RowError("JSON nested too deeply") from None
        row_id = _row_id(row)
        return RowOutcome(row_id, result=batch_row_result(grade_row(row, grader), row_id))
    except (RowError, ValueError, TypeError) as exc:
        return RowOutcome(_row_id(row), error=f"line {number}: {exc}")
    except Exception as exc:  # noqa: BLE001 - one row's failure is that row's error line, never the batch's end
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
        return RowOutcome(_row_id(row), error=f"line {number}: cannot grade this row ({reason})")


# A worker process's grader: built once per worker by _start_worker (the pack is loaded once).
_WORKER: dict[str, GradingService] = {}


def _start_worker(pack: RolePack, matcher: str) -> None:
    _WORKER["grader"] = GradingService(pack, "stub", matcher)
    compiled(pack)


def _grade_item(item: tuple[int, bytes | None]) -> RowOutcome:
    return grade_line(item[0], item[1], _WORKER["grader"])


def _grade_chunk(chunk: list[tuple[int, bytes | None]]) -> list:
    return run_chunk(_grade_item, chunk)


def grade_batch(
    lines: Iterable[bytes | None],
    grader: GradingService,
    emit: Callable[[RowOutcome], None],
    *,
    workers: int = 1,
) -> BatchSummary:
    """``emit`` one outcome per non-blank line, in input order; blank lines are skipped.
    With ``workers`` > 1 the offline grader runs on that many processes; rows, results and
    errors are the same as with one. Errors reading ``lines`` (OSError) and a worker that
    died (BrokenProcessPool) propagate; what was emitted before stays emitted."""
    summary = BatchSummary()

    def numbered():
        for number, raw in enumerate(lines, start=1):
            if raw is not None and not raw.strip():
                continue
            summary.rows += 1
            yield number, raw

    def counted(outcome: RowOutcome) -> None:
        if outcome.error is not None:
            summary.failures += 1
        emit(outcome)

    if workers > 1:
        compiled(grader.pack)  # once, here: forked workers start with it
    stream_in_order(
        numbered(),
        local=lambda item: grade_line(item[0], item[1], grader),
        remote=_grade_chunk,
        emit=counted,
        workers=workers,
        initializer=_start_worker,
        initargs=(grader.pack, grader.matcher),
        weight=lambda item: len(item[1] or b"") + 1,
    )
    return summary
