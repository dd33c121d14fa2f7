"""Agreement between a grader and human labels: the statistics behind ``mockinterview calibrate``.

Everything here is pure (no files, no grader calls) so it can be checked on small
hand-computed inputs. A statistic that is mathematically undefined for the input
(a constant column, fewer than two rows, no predictions of a mistake) is reported as
``None`` with a reason, never as a crash and never as a made-up zero.

Conventions:

* Spearman is Pearson over average ranks (ties share the mean of their positions).
* Within-one accuracy counts rows with ``|predicted - human| <= 1``.
* The length baseline is Spearman between the answer's word count and the human score,
  computed on the same rows: a grader that does not beat it is mostly measuring length.
* Mistake detection is scored per mistake id over the rows whose label carries a
  ``mistakes`` list (rows without one are not labelled for mistakes and are left out).
  Precision is undefined for an id never predicted, recall for an id never labelled;
  F1 = 2TP / (2TP + FP + FN) is defined for every id that appears in labels or
  predictions, and macro-F1 is its mean over those ids (also reported over the six
  canonical ids alone, the set DESIGN.md's quality bar names).
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mockinterview.domain.pack import CANONICAL_MISTAKE_IDS

# Tolerance for "within one": scores carry one decimal, so 4.0 vs 3.0 must count.
_EPS = 1e-9


class UndefinedStatistic(ValueError):
    """The statistic has no value for this input; ``str(exc)`` says why."""


# --------------------------------------------------------------------------- statistics


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values all get the mean of the positions they occupy."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1  # mean of positions start+1 .. end+1
        for k in range(start, end + 1):
            ranks[order[k]] = shared
        start = end + 1
    return ranks


def _check_pairs(xs: Sequence[float], ys: Sequence[float]) -> None:
    if len(xs) != len(ys):
        raise ValueError(f"inputs differ in length ({len(xs)} vs {len(ys)})")
    if len(xs) < 2:
        raise UndefinedStatistic("needs at least two rows")


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    _check_pairs(xs, ys)
    for name, column in (("first", xs), ("second", ys)):
        if len(set(column)) == 1:
            raise UndefinedStatistic(f"the {name} input is constant")
    return statistics.correlation(xs, ys)


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    _check_pairs(xs, ys)
    return pearson(average_ranks(xs), average_ranks(ys))


def within_one(predicted: Sequence[float], human: Sequence[float], tolerance: float = 1.0) -> float:
    if len(predicted) != len(human):
        raise ValueError(f"inputs differ in length ({len(predicted)} vs {len(human)})")
    if not predicted:
        raise UndefinedStatistic("no rows")
    hits = sum(1 for p, h in zip(predicted, human, strict=True) if abs(p - h) <= tolerance + _EPS)
    return hits / len(predicted)


def mean_absolute_error(predicted: Sequence[float], human: Sequence[float]) -> float:
    if len(predicted) != len(human):
        raise ValueError(f"inputs differ in length ({len(predicted)} vs {len(human)})")
    if not predicted:
        raise UndefinedStatistic("no rows")
    return statistics.fmean(abs(p - h) for p, h in zip(predicted, human, strict=True))


@dataclass(frozen=True)
class MistakeAgreement:
    """Detection quality for one mistake id."""

    id: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def labelled(self) -> int:  # rows where the human marked this mistake
        return self.true_positives + self.false_negatives

    @property
    def predicted(self) -> int:  # rows where the grader reported it
        return self.true_positives + self.false_positives

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.labelled if self.labelled else None

    @property
    def f1(self) -> float:
        denominator = 2 * self.true_positives + self.false_positives + self.false_negatives
        return 2 * self.true_positives / denominator if denominator else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "labelled": self.labelled,
            "predicted": self.predicted,
            "true_positives": self.true_positives,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


def mistake_agreement(
    human: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]]
) -> list[MistakeAgreement]:
    """Per-id counts over rows; ids that appear in labels or predictions, sorted."""
    if len(human) != len(predicted):
        raise ValueError(f"inputs differ in length ({len(human)} vs {len(predicted)})")
    counts: dict[str, list[int]] = {}
    for gold_row, pred_row in zip(human, predicted, strict=True):
        gold, pred = set(gold_row), set(pred_row)
        for mistake_id in gold | pred:
            tp_fp_fn = counts.setdefault(mistake_id, [0, 0, 0])
            if mistake_id in gold and mistake_id in pred:
                tp_fp_fn[0] += 1
            elif mistake_id in pred:
                tp_fp_fn[1] += 1
            else:
                tp_fp_fn[2] += 1
    return [MistakeAgreement(mid, *counts[mid]) for mid in sorted(counts)]


def macro_f1(agreements: Sequence[MistakeAgreement]) -> float:
    if not agreements:
        raise UndefinedStatistic("no mistake appears in the labels or the predictions")
    return statistics.fmean(a.f1 for a in agreements)


# --------------------------------------------------------------------------- label rows


class LabelRowError(ValueError):
    """A label row that cannot be used; ``str(exc)`` is a one-line reason (no line number)."""


class LabelRow(BaseModel):
    """One expert-labelled answer.

    ``question_id`` names a bank question; otherwise ``question`` (free text, optionally
    with a ``reference`` answer). ``score`` (alias ``human_score``) is 1-5.
    ``mistakes`` is a list of ids (or of ``{"id": ...}`` objects); ``None`` when the row
    carries no mistake labels at all. Unknown keys (notes, rater, tags) are ignored.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str | None = None
    question_id: str | None = None
    question: str | None = None
    reference: str | None = None
    answer: str
    score: float = Field(ge=1.0, le=5.0)
    mistakes: list[str] | None = None
    tags: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        if "score" not in data and "human_score" in data:
            data = {**data, "score": data["human_score"]}
        if isinstance(data.get("id"), int) and not isinstance(data.get("id"), bool):
            data = {**data, "id": str(data["id"])}
        return data

    @field_validator("score", mode="before")
    @classmethod
    def _numeric_score(cls, value: Any) -> Any:
        # pydantic would accept "4"; a label file with strings is more likely a mistake.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be a number from 1 to 5")
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @field_validator("mistakes", mode="before")
    @classmethod
    def _mistake_ids(cls, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, list):
            raise ValueError('must be a list of mistake ids (or of {"id": ...} objects)')
        ids = []
        for item in value:
            if isinstance(item, dict):
                item = item.get("id")
            if not isinstance(item, str) or not item.strip():
                raise ValueError('every entry must be a mistake id string or an object with an "id"')
            ids.append(item.strip())
        return ids

    @field_validator("tags", mode="before")
    @classmethod
    def _tag_list(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        return value

    @model_validator(mode="after")
    def _has_question(self) -> LabelRow:
        if not (self.question_id or (self.question and self.question.strip())):
            raise ValueError('needs "question_id" or a non-empty "question"')
        return self

    @property
    def question_label(self) -> str:
        return self.question_id or (self.question or "").strip()


def _one_line(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def parse_label_line(text: str) -> LabelRow:
    """Parse one JSONL line; raise LabelRowError with a one-line reason."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LabelRowError(f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise LabelRowError("JSON nested too deeply") from None
    try:
        return LabelRow.model_validate(data)
    except ValidationError as exc:
        raise LabelRowError(_one_line(exc)) from None


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class ScoredRow:
    """A labelled row next to what the grader said about it."""

    id: str
    question: str
    answer: str
    human: float
    predicted: float
    human_mistakes: frozenset[str] | None  # None: the row is not labelled for mistakes
    predicted_mistakes: frozenset[str]
    tags: tuple[str, ...] = ()
    round: str | None = None  # the bank question's round, or "free-text"

    @property
    def error(self) -> float:
        return self.predicted - self.human


def answer_length(answer: str) -> int:
    """Words in the answer: the length the baseline correlates with human scores."""
    return len(answer.split())


def snippet(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


@dataclass
class CalibrationReport:
    rows: int
    metrics: dict[str, float | None]
    undefined: dict[str, str]
    mistakes: list[MistakeAgreement]
    mistake_rows: int
    worst: list[ScoredRow]
    by_round: dict[str, dict[str, float | int | None]] = field(default_factory=dict)
    by_tag: dict[str, dict[str, float | int | None]] = field(default_factory=dict)

    def to_dict(self, snippet_width: int = 160) -> dict[str, Any]:
        return {
            "rows": self.rows,
            **self.metrics,
            "undefined": self.undefined,
            "mistake_rows": self.mistake_rows,
            "mistakes": [m.to_dict() for m in self.mistakes],
            "by_round": self.by_round,
            "by_tag": self.by_tag,
            "worst": [
                {
                    "id": r.id,
                    "question": r.question,
                    "human": r.human,
                    "predicted": r.predicted,
                    "error": round(r.error, 3),
                    "human_mistakes": sorted(r.human_mistakes) if r.human_mistakes is not None else None,
                    "predicted_mistakes": sorted(r.predicted_mistakes),
                    "answer": snippet(r.answer, snippet_width),
                }
                for r in self.worst
            ],
        }


# Order in which the headline figures are shown.
METRIC_NAMES: tuple[str, ...] = (
    "spearman",
    "pearson",
    "within_one",
    "mean_absolute_error",
    "length_baseline_spearman",
    "mistake_macro_f1",
    "canonical_mistake_macro_f1",
)


def worst_disagreements(rows: Sequence[ScoredRow], n: int) -> list[ScoredRow]:
    """The n rows with the largest |predicted - human|; ties broken by id for a stable list."""
    if n <= 0:
        return []
    return sorted(rows, key=lambda r: (-abs(r.error), r.id))[:n]


def _optional(statistic: Callable[[], float]) -> float | None:
    try:
        return round(statistic(), 3)
    except UndefinedStatistic:
        return None


def group_summary(rows: Sequence[ScoredRow]) -> dict[str, float | int | None]:
    """How the grader does on one slice of the rows (a round, a tag such as "hostile")."""
    human = [r.human for r in rows]
    predicted = [r.predicted for r in rows]
    return {
        "rows": len(rows),
        "mean_human": round(statistics.fmean(human), 3),
        "mean_predicted": round(statistics.fmean(predicted), 3),
        "max_predicted": max(predicted),
        "mean_absolute_error": round(mean_absolute_error(predicted, human), 3),
        "spearman": _optional(lambda: spearman(predicted, human)),
    }


def _grouped(rows: Sequence[ScoredRow], keys: Callable[[ScoredRow], Iterable[str]]) -> dict[str, dict]:
    groups: dict[str, list[ScoredRow]] = {}
    for r in rows:
        for key in keys(r):
            groups.setdefault(key, []).append(r)
    return {key: group_summary(members) for key, members in sorted(groups.items())}


def build_report(rows: Sequence[ScoredRow], worst: int = 10) -> CalibrationReport:
    human = [r.human for r in rows]
    predicted = [r.predicted for r in rows]
    lengths = [float(answer_length(r.answer)) for r in rows]
    labelled = [r for r in rows if r.human_mistakes is not None]
    agreements = mistake_agreement(
        [r.human_mistakes or frozenset() for r in labelled], [r.predicted_mistakes for r in labelled]
    )

    computations = {
        "spearman": lambda: spearman(predicted, human),
        "pearson": lambda: pearson(predicted, human),
        "within_one": lambda: within_one(predicted, human),
        "mean_absolute_error": lambda: mean_absolute_error(predicted, human),
        "length_baseline_spearman": lambda: spearman(lengths, human),
        "mistake_macro_f1": lambda: macro_f1(agreements),
        # DESIGN.md's quality bar is stated for the six canonical mistakes.
        "canonical_mistake_macro_f1": lambda: macro_f1(
            [a for a in agreements if a.id in CANONICAL_MISTAKE_IDS]
        ),
    }
    metrics: dict[str, float | None] = {}
    undefined: dict[str, str] = {}
    for name in METRIC_NAMES:
        try:
            metrics[name] = computations[name]()
        except UndefinedStatistic as exc:
            metrics[name] = None
            undefined[name] = _explain(name, str(exc))
    return CalibrationReport(
        rows=len(rows),
        metrics=metrics,
        undefined=undefined,
        mistakes=agreements,
        mistake_rows=len(labelled),
        worst=worst_disagreements(rows, worst),
        by_round=_grouped(rows, lambda r: [r.round] if r.round else []),
        by_tag=_grouped(rows, lambda r: r.tags),
    )


def _explain(metric: str, reason: str) -> str:
    # Name the columns: "the first input is constant" means little to a reader of the report.
    columns = {
        "spearman": ("predicted scores", "human scores"),
        "pearson": ("predicted scores", "human scores"),
        "length_baseline_spearman": ("answer lengths", "human scores"),
    }.get(metric)
    if columns:
        reason = reason.replace("the first input", f"the {columns[0]}").replace(
            "the second input", f"the {columns[1]}"
        )
        reason = reason.replace("is constant", "are constant")
    return reason
