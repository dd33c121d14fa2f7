"""Events the interview engine emits. A UI (the Textual app, the headless runner)
subscribes with a callback and renders them; the engine knows nothing of any UI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mockinterview.domain.pack import RoundId
from mockinterview.domain.transcript import GradeRecord, TokenUsage, Turn


@dataclass(frozen=True)
class RoundStarted:
    round: RoundId
    index: int  # 0-based position among the session's rounds
    total_rounds: int
    questions: int


@dataclass(frozen=True)
class InterviewerChunk:
    """A piece of the interviewer's reply while it streams."""

    text: str


@dataclass(frozen=True)
class TurnAdded:
    """A turn was appended to the transcript (interviewer, candidate or system)."""

    turn: Turn
    question_index: int | None = None  # 0-based within the round
    questions_in_round: int | None = None


@dataclass(frozen=True)
class AwaitingAnswer:
    """The engine waits for the candidate: answer, clarifying question, skip or end."""

    question_id: str
    time_limit_s: int | None


@dataclass(frozen=True)
class GradeReady:
    record: GradeRecord


@dataclass(frozen=True)
class RoundEnded:
    round: RoundId
    grades: list[GradeRecord]


@dataclass(frozen=True)
class Saved:
    path: Path


@dataclass(frozen=True)
class TokensUpdated:
    usage: TokenUsage
    estimated_cost_usd: float


@dataclass(frozen=True)
class ModelCallStarted:
    """The engine waits for a model (``purpose``: an interviewer step or "grade"), so a
    UI can show that it is thinking and for how long."""

    purpose: str
    model: str


@dataclass(frozen=True)
class ModelCallFinished:
    purpose: str
    model: str
    ok: bool


@dataclass(frozen=True)
class ModelFault:
    """A model call failed. The session is saved; ``retryable`` says if retrying may help."""

    message: str
    retryable: bool


@dataclass(frozen=True)
class SessionEnded:
    status: str
    path: Path


EngineEvent = (
    RoundStarted
    | InterviewerChunk
    | TurnAdded
    | AwaitingAnswer
    | GradeReady
    | RoundEnded
    | Saved
    | TokensUpdated
    | ModelCallStarted
    | ModelCallFinished
    | ModelFault
    | SessionEnded
)
