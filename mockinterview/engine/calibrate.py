"""Measure a grader against human-labelled answers: the service behind ``mockinterview calibrate``.

Each row is graded exactly as ``mockinterview grade`` would grade it (bank question by id,
or free-text question with an optional reference), then compared with the expert's score
and mistake labels (statistics in ``grading.calibration``). A ``CalibrationRun`` grades its
rows one at a time, so a caller can show progress and stop early with a report on the
rows graded so far.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from mockinterview.domain.grade import Grade
from mockinterview.domain.pack import RolePack
from mockinterview.engine.grade import GradingService
from mockinterview.errors import OneLineError
from mockinterview.grading import grade_answer, grade_free_text
from mockinterview.grading.calibration import (
    CalibrationReport,
    LabelRow,
    LabelRowError,
    ScoredRow,
    build_report,
    parse_label_line,
)

# Grades one label row against a pack (the offline grader, a model grader, a test's stand-in).
RowGrader = Callable[[LabelRow, RolePack], Grade]


class LabelFileError(OneLineError):
    """A labelled file or one of its rows is unusable; the message names the file and line."""


def parse_label_rows(
    raw: bytes, source: str, problems: list[str] | None = None
) -> list[tuple[int, LabelRow]]:
    """(line number, row) for every non-blank line. A bad line raises LabelFileError naming
    it, or, given a ``problems`` list, is reported there (one line each) and skipped."""
    rows = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                raise LabelFileError(f"{source} line {number}: not UTF-8 text (binary data?)") from None
            try:
                rows.append((number, parse_label_line(text)))
            except LabelRowError as exc:
                raise LabelFileError(f"{source} line {number}: {exc}") from None
        except LabelFileError as exc:
            if problems is None:
                raise
            problems.append(str(exc))
    return rows


def offline_row_grader() -> RowGrader:
    def grade(row: LabelRow, pack: RolePack) -> Grade:
        if row.question_id:
            return grade_answer(row.answer, pack.question(row.question_id), pack)
        return grade_free_text(row.answer, row.question or "", pack, reference=row.reference)

    return grade


def model_row_grader(service: GradingService) -> RowGrader:
    """Bank-question rows graded by ``service`` (its model grader); rows with a free-text
    question are graded offline, as ``grade --model`` does."""
    offline = offline_row_grader()

    def grade(row: LabelRow, pack: RolePack) -> Grade:
        if row.question_id:
            return service.bank(row.answer, pack.question(row.question_id))
        return offline(row, pack)

    return grade


class CalibrationRun:
    """The rows of one labelled file, graded one at a time (``grade()``), then reported."""

    def __init__(
        self, rows: list[tuple[int, LabelRow]], pack: RolePack, *, source: str, grade_row: RowGrader
    ):
        self.rows, self.pack, self.source, self.grade_row = rows, pack, source, grade_row
        self.graded: list[tuple[ScoredRow, Grade]] = []
        # One line per row that could not be graded (duplicate id, unknown question, a grader
        # failure on that row): reported, skipped; the other rows are graded.
        self.problems: list[str] = []
        self._done = 0

    @property
    def total(self) -> int:
        return len(self.rows)

    def grade(self) -> Iterator[tuple[ScoredRow, Grade]]:
        """Grade the rows not graded yet, yielding each as it is done. A row that cannot be
        graded is added to ``problems`` and skipped."""
        if self._done == 0:
            seen_ids: dict[str, int] = {}
            kept = []
            for number, row in self.rows:
                row_id = row.id or f"line-{number}"
                if row_id in seen_ids:
                    self.problems.append(
                        f"{self.source} line {number}: duplicate id {row_id!r} (first on line {seen_ids[row_id]})"
                    )
                    continue
                seen_ids[row_id] = number
                kept.append((number, row))
            self.rows = kept
        for number, row in self.rows[self._done :]:
            self._done += 1
            try:
                result = self._score_row(number, row.id or f"line-{number}", row)
            except LabelFileError as exc:
                self.problems.append(str(exc))
                continue
            self.graded.append(result)
            yield result

    def report(self, worst: int = 10) -> CalibrationReport:
        """The agreement figures over the rows graded so far."""
        if not self.graded:
            raise LabelFileError(
                f"{self.source}: no labelled rows" if not self.rows else f"{self.source}: no row graded"
            )
        return build_report([scored for scored, _ in self.graded], worst=worst)

    def uncertainty(self) -> dict:
        return uncertainty_summary(self.graded)

    def _score_row(self, number: int, row_id: str, row: LabelRow) -> tuple[ScoredRow, Grade]:
        round_id = "free-text"
        if row.question_id:
            try:
                round_id = self.pack.question(row.question_id).round
            except KeyError:
                raise LabelFileError(
                    f"{self.source} line {number}: unknown question_id {row.question_id!r} in pack {self.pack.id}"
                ) from None
        try:
            grade = self.grade_row(row, self.pack)
        except LabelFileError:
            raise
        except OneLineError:  # already one line (a bad config, an unusable model): not this row's fault
            raise
        except Exception as exc:  # a grader bug on one row: name the row, keep it to one line
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
            raise LabelFileError(
                f"{self.source} line {number}: the grader failed on this row ({reason})", exit_code=1
            ) from None
        return ScoredRow(
            id=row_id,
            question=row.question_label,
            answer=row.answer,
            human=row.score,
            predicted=grade.score,
            human_mistakes=frozenset(row.mistakes) if row.mistakes is not None else None,
            predicted_mistakes=frozenset(m.id for m in grade.mistakes),
            tags=tuple(row.tags),
            round=round_id,
        ), grade


def calibrate(
    rows: list[tuple[int, LabelRow]], pack: RolePack, *, source: str, grade_row: RowGrader, worst: int = 10
) -> CalibrationReport:
    """Grade every row and report (a run that cannot be interrupted or watched)."""
    run = CalibrationRun(rows, pack, source=source, grade_row=grade_row)
    for _ in run.grade():
        pass
    return run.report(worst)


def uncertainty_summary(grades: list[tuple[ScoredRow, Grade]]) -> dict:
    """How sure the model-graded rows are, and agreement with humans where evidence sufficed."""
    insufficient = [r for r, g in grades if g.insufficient_evidence]
    sufficient = [r for r, g in grades if not g.insufficient_evidence]
    agreements = [g.agreement for _, g in grades if g.agreement is not None]
    summary: dict = {
        "rows": len(grades),
        "insufficient_evidence": len(insufficient),
        "fallback": sum(1 for _, g in grades if g.status == "fallback"),
        "mean_agreement_with_offline": round(sum(agreements) / len(agreements), 3) if agreements else None,
        "sufficient_rows": len(sufficient),
        "spearman_sufficient": None,
        "within_one_sufficient": None,
    }
    if len(sufficient) >= 3:
        metrics = build_report(sufficient, worst=0).metrics
        summary["spearman_sufficient"] = metrics.get("spearman")
        summary["within_one_sufficient"] = metrics.get("within_one")
    return summary
