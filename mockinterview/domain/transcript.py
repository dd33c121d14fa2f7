"""The saved session: metadata, turns, grades, every model call, and the mentor's review layer.

A transcript is the single source of truth for a session. Candidates' words and
graders' records are append-only; mentors write only into ``review``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from mockinterview.domain.grade import Grade
from mockinterview.domain.ids import SafeId, SafeIdOrEmpty
from mockinterview.domain.pack import RoundId

SCHEMA_VERSION = 1


def utcnow() -> datetime:
    return datetime.now(UTC)


# Every time a transcript records is timezone-aware (AwareDatetime): a received file with a
# naive one is refused at load rather than breaking every sort and comparison later
# ("can't compare offset-naive and offset-aware datetimes" stopped history and the TUI).


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenUsage(_Model):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ModelCall(_Model):
    """One request to a model and what came back (or the error)."""

    id: SafeIdOrEmpty  # "" until the call log numbers it
    request_hash: str  # canonical hash, the replay key
    purpose: str  # "interviewer", "grade", "summary", ...
    model: str  # "stub", "openai:gpt-4o-mini", "replay"
    request: dict[str, Any]  # the ChatRequest as JSON (never carries credentials)
    response: dict[str, Any] | None = None  # the ChatResponse as JSON
    usage: TokenUsage = Field(default_factory=TokenUsage)
    latency_ms: float = 0.0
    started_at: AwareDatetime = Field(default_factory=utcnow)
    error: str | None = None  # one-line reason when the call failed
    # The ModelError class of a failed call ("UnsupportedFormat", "ModelTimeout" ...), so a
    # replay raises the same fault and takes the same path (a fallback grade, a step down).
    error_type: str | None = None
    ladder_step: str | None = None  # structured output: the mode or step of this attempt
    attempts: int = 1  # HTTP attempts, retries included
    cost_usd: float = 0.0  # estimated from the usage and the price table


TurnKind = Literal[
    "round-intro",
    "question",
    "follow-up",
    "clarifying-question",  # candidate asks
    "clarification",  # interviewer answers
    "answer",
    "skip",
    "closing",
    "note",  # system notes: errors, time limits, round ended early
]


class Turn(_Model):
    id: int = Field(ge=1)  # position in the session, starting at 1
    speaker: Literal["interviewer", "candidate", "system"]
    kind: TurnKind
    text: str
    round: RoundId | None = None
    question_id: SafeId | None = None
    # For answers: the question/follow-up turn this answers.
    reply_to: int | None = None
    started_at: AwareDatetime = Field(default_factory=utcnow)
    ended_at: AwareDatetime | None = None
    model_call_ids: list[SafeId] = Field(default_factory=list)
    # The model's reply stopped at the token limit: what is shown was cut short.
    cut_off: bool = False


class GradeRecord(_Model):
    turn_id: int  # the answer turn graded
    question_id: SafeId | None
    round: RoundId | None = None
    grade: Grade
    model_call_ids: list[SafeId] = Field(default_factory=list)
    created_at: AwareDatetime = Field(default_factory=utcnow)


class ReviewComment(_Model):
    id: SafeId
    turn_id: int
    author: str = "mentor"
    text: str
    created_at: AwareDatetime = Field(default_factory=utcnow)


class GradeOverride(_Model):
    id: SafeId
    turn_id: int  # the graded answer turn
    score: float = Field(ge=1.0, le=5.0)
    reason: str = Field(min_length=1)
    author: str = "mentor"
    created_at: AwareDatetime = Field(default_factory=utcnow)


class Review(_Model):
    comments: list[ReviewComment] = Field(default_factory=list)
    overrides: list[GradeOverride] = Field(default_factory=list)


SessionStatus = Literal["in-progress", "completed", "ended-early", "failed"]


class SessionMeta(_Model):
    id: SafeId  # names the transcript and report files
    created_at: AwareDatetime = Field(default_factory=utcnow)
    updated_at: AwareDatetime = Field(default_factory=utcnow)
    pack_id: SafeId  # resolves the pack's folder on resume
    pack_version: str
    pack_hash: str
    interviewer_model: str
    grader_model: str
    prompt_hashes: dict[str, str] = Field(default_factory=dict)  # template name -> sha256
    rounds: list[RoundId]
    questions_per_round: int
    question_plan: dict[RoundId, list[SafeId]] = Field(default_factory=dict)  # round -> question ids, fixed at start
    # The question-selection seed (None in transcripts written before it was recorded), and
    # whether the draw also weighed past sessions (questions seen recently, weak topics).
    seed: int | None = None
    plan_from_history: bool = False
    time_limit_s: int | None = None
    # Follow-ups allowed per question, so a resumed session keeps its settings
    # (None in transcripts written before this field existed: the default, 1).
    max_follow_ups: int | None = None
    grading_samples: int = 1  # checklists per answer from a model grader
    status: SessionStatus = "in-progress"
    ended_at: AwareDatetime | None = None


class Draft(_Model):
    """The answer being typed when the candidate left: restored into the editor on resume.
    Cleared as soon as the candidate answers, asks or skips."""

    text: str
    reply_to: int | None = None  # the question / follow-up turn it answers
    saved_at: datetime = Field(default_factory=utcnow)


class RetryAttempt(_Model):
    """Another try at a question, made from the feedback: graded like an answer and kept
    beside the first attempt. It never changes the session's scores (the interview was
    the interview); the practice plan counts it."""

    id: str  # r1, r2 ...
    question_id: str
    round: RoundId | None = None
    first_turn_id: int  # the graded answer turn it retries
    text: str
    grade: Grade
    model_call_ids: list[str] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utcnow)


class Transcript(_Model):
    schema_version: int = SCHEMA_VERSION
    meta: SessionMeta
    turns: list[Turn] = Field(default_factory=list)
    grades: list[GradeRecord] = Field(default_factory=list)
    model_calls: list[ModelCall] = Field(default_factory=list)
    review: Review = Field(default_factory=Review)
    draft: Draft | None = None
    retries: list[RetryAttempt] = Field(default_factory=list)
    tokens: TokenUsage = Field(default_factory=TokenUsage)
    estimated_cost_usd: float = 0.0

    @field_validator("turns")
    @classmethod
    def _unique_turn_ids(cls, turns: list[Turn]) -> list[Turn]:
        # Screens and reports index turns by id: two turns with one id would be one row.
        seen: set[int] = set()
        for turn in turns:
            if turn.id in seen:
                raise ValueError(f"duplicate turn id {turn.id}")
            seen.add(turn.id)
        return turns

    def grade_for(self, turn_id: int) -> GradeRecord | None:
        for g in self.grades:
            if g.turn_id == turn_id:
                return g
        return None

    def first_grades(self) -> dict[int, GradeRecord]:
        """Each graded turn's record (the first, as ``grade_for``), in one pass: screens
        and reports look grades up per turn, and a scan per turn was quadratic."""
        out: dict[int, GradeRecord] = {}
        for g in self.grades:
            out.setdefault(g.turn_id, g)
        return out

    def latest_overrides(self) -> dict[int, GradeOverride]:
        """Each overridden turn's latest mentor override, in one pass."""
        return {o.turn_id: o for o in self.review.overrides}

    def effective_scores(self) -> dict[int, float]:
        """``effective_score`` of every graded or overridden turn, in one pass."""
        scores = {turn_id: g.grade.score for turn_id, g in self.first_grades().items()}
        scores.update({turn_id: o.score for turn_id, o in self.latest_overrides().items()})
        return scores

    def effective_score(self, turn_id: int) -> float | None:
        """The mentor's latest override if any, else the grader's score."""
        overrides = [o for o in self.review.overrides if o.turn_id == turn_id]
        if overrides:
            return overrides[-1].score
        record = self.grade_for(turn_id)
        return record.grade.score if record else None
