"""Grades: what a grader found in one answer, and the score computed from it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mockinterview.domain.detectors import StoryCheck
from mockinterview.domain.ids import SafeId, SafeIdOrEmpty


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KeyPointCoverage(_Model):
    id: SafeId
    text: str
    covered: bool
    # Verbatim substring of the answer that shows the point (None when missed).
    evidence: str | None = None
    # Set when the answer states the point wrongly: a known misconception, or a denial of
    # the point ("I would never ..."), quoted verbatim.
    misconception: str | None = None
    # Set when the answer also asserts the point elsewhere: that quote. The answer
    # contradicts itself, so the point is not covered.
    contradicts: str | None = None
    # Partial credit in [0, 1] for graded-by-degree points (reference-derived ones);
    # None means all-or-nothing: 1.0 when covered, else 0.0 (see grading/scoring.py).
    credit: float | None = Field(default=None, ge=0.0, le=1.0)


class MistakeFinding(_Model):
    id: SafeId
    # Always a verbatim substring of the answer; findings without one are dropped.
    evidence: str
    note: str = ""
    # From the pack (Mistake.severity): how far the mistake caps the score.
    severity: Literal["major", "minor"] = "major"


class BehavioralCheck(_Model):
    id: StoryCheck
    present: bool
    evidence: str | None = None


GradeStatus = Literal["ok", "fallback"]
# "insufficient-evidence": the graders disagree too much (or the model's samples do) for
# the score to mean much; it is shown as such, never silently as a number.
GradeOutcome = Literal["scored", "insufficient-evidence"]


class Grade(_Model):
    """One graded answer.

    ``score`` is on 1-5 with one decimal, computed in code from the checks by
    ``mockinterview.grading.scoring.compute_score`` whoever ran the checks.
    ``status == "fallback"`` means the configured model grader produced invalid
    output and the offline grader's result stands in (``fallback_reason`` says why).
    """

    question_id: SafeId | None
    score: float = Field(ge=1.0, le=5.0)
    key_points: list[KeyPointCoverage] = Field(default_factory=list)
    mistakes: list[MistakeFinding] = Field(default_factory=list)
    behavioral: list[BehavioralCheck] = Field(default_factory=list)
    # Answer-level problems: "empty", "off-topic", "keyword-list", "injection",
    # "template-syntax", "too-short", "truncated" ...
    flags: list[str] = Field(default_factory=list)
    feedback: str = ""
    grader: str  # "stub" (heuristic) or a model id such as "openai:gpt-4o-mini"
    rubric_id: SafeIdOrEmpty = ""
    rubric_version: str = ""
    rubric_hash: str = ""
    prompt_hash: str | None = None
    status: GradeStatus = "ok"
    fallback_reason: str | None = None
    # Uncertainty (model grades only; None when one grader judged alone): the share of
    # checklist items on which the model grader and the offline grader agree, and, when
    # several model samples were taken, the mean share of samples agreeing per item.
    agreement: float | None = Field(default=None, ge=0.0, le=1.0)
    sample_agreement: float | None = Field(default=None, ge=0.0, le=1.0)
    outcome: GradeOutcome = "scored"
    outcome_reason: str | None = None
    # For free-text questions matched against the bank (grading/question_match.py): the bank
    # question used (None if none matched well enough) and the best candidate's similarity; the
    # runner-up is the best bank question not used (the second-ranked after a match, the
    # nearest when nothing matched); ``matcher`` is "tfidf" or "semantic".
    matched_question_id: SafeId | None = None
    match_similarity: float | None = None
    runner_up_question_id: SafeId | None = None
    runner_up_similarity: float | None = None
    matcher: str | None = None

    @property
    def insufficient_evidence(self) -> bool:
        return self.outcome == "insufficient-evidence"

    def certainty_line(self) -> str | None:
        """How far to trust this grade, in one line for people (None: nothing to say -
        one grader judged alone and nothing went wrong)."""
        if self.status == "fallback":
            return f"graded offline, the model grader failed: {self.fallback_reason or 'no reason recorded'}"
        parts = []
        if self.insufficient_evidence:
            parts.append(f"insufficient evidence: {self.outcome_reason or 'the graders disagree'}")
        if self.agreement is not None:
            parts.append(f"model and offline grader agree on {self.agreement:.0%} of the checks")
        if self.sample_agreement is not None:
            parts.append(f"the model's samples agree on {self.sample_agreement:.0%}")
        return "; ".join(parts) or None

    @property
    def covered(self) -> list[KeyPointCoverage]:
        return [k for k in self.key_points if k.covered]

    @property
    def missed(self) -> list[KeyPointCoverage]:
        return [k for k in self.key_points if not k.covered]
