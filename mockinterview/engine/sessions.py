"""Past sessions and the interview form's defaults, for the screens and commands that list,
open and delete sessions: they call these instead of storage.

Imported by the TUI after its first paint (it needs pydantic and the domain models).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mockinterview.domain.pack import RolePack
from mockinterview.domain.rounds import DEFAULT_PACK_ID
from mockinterview.domain.transcript import Transcript, Turn, utcnow
from mockinterview.resources import pack_dirs
from mockinterview.storage.config import ConfigError, InterviewSettings, load_settings
from mockinterview.storage.locks import SessionLock, SessionLocked
from mockinterview.storage.transcripts import (
    SessionSummary,
    TranscriptError,
    delete_session,
    find_session,
    list_sessions,
    load_transcript,
    save_transcript,
)

DISCARD_NOTE = "The candidate discarded this unfinished session; its answers are kept."

__all__ = [
    "InterviewDefaults",
    "QuestionMemory",
    "SessionOverview",
    "TranscriptError",
    "delete_session",
    "discard_session",
    "interview_defaults",
    "open_session",
    "question_memory",
    "session_overview",
]


@dataclass
class SessionOverview:
    """Every saved session, oldest first (unreadable files listed with ``error`` set)."""

    sessions: list[SessionSummary]

    @property
    def readable(self) -> list[SessionSummary]:
        return [s for s in self.sessions if not s.error]

    @property
    def resumable(self) -> Path | None:
        """The most recently updated interrupted session, if any."""
        candidates = [s for s in self.readable if s.status == "in-progress" and s.updated]
        return max(candidates, key=lambda s: s.updated).path if candidates else None

    @property
    def newest_first(self) -> list[SessionSummary]:
        """Every session, newest first (how both history views list them)."""
        return list(reversed(self.sessions))

    @property
    def unfinished(self) -> list[SessionSummary]:
        """Interrupted sessions, newest first: each can be resumed or discarded."""
        return [s for s in self.newest_first if not s.error and s.status == "in-progress"]

    def recent(self, count: int) -> list[SessionSummary]:
        """The ``count`` newest readable sessions, newest first."""
        return list(reversed(self.readable))[:count]

    def with_trend(self) -> list[tuple[SessionSummary, float | None]]:
        """Every session, newest first, with the change of its overall score since the
        previous scored one (None for the first scored session and for unscored ones)."""
        out: list[tuple[SessionSummary, float | None]] = []
        previous: float | None = None
        for s in self.sessions:
            trend = None
            if s.overall is not None:
                if previous is not None:
                    trend = round(s.overall - previous, 2)
                previous = s.overall
            out.append((s, trend))
        return out[::-1]

    def others(self, session_id: str) -> list[SessionSummary]:
        """The readable sessions other than ``session_id``, oldest first (a score trend)."""
        return [s for s in self.readable if s.id != session_id]


def session_overview(directory: Path | None = None) -> SessionOverview:
    return SessionOverview(list_sessions(directory))


def open_session(ref: str | Path) -> tuple[Path, Transcript]:
    """A session by path or id, loaded; TranscriptError with a one-line reason if it cannot be."""
    path = find_session(ref)
    return path, load_transcript(path)


def discard_session(ref: str | Path) -> Path:
    """Close an unfinished session for good without deleting it: it is marked ended early
    (its answers and grades stay, and count in history) and no longer offered for resuming.
    TranscriptError when it cannot be read or is not unfinished."""
    path = find_session(ref)
    try:
        with SessionLock(path, path.stem, "discard"):
            return _discard(path)
    except SessionLocked as exc:
        raise TranscriptError(str(exc).replace("finish or quit it there first", "quit it there to discard it")) from None


def _discard(path: Path) -> Path:
    transcript = load_transcript(path)
    if transcript.meta.status != "in-progress":
        raise TranscriptError(f"session {transcript.meta.id} is {transcript.meta.status}, not unfinished")
    now = utcnow()
    last = transcript.turns[-1] if transcript.turns else None
    transcript.turns.append(
        Turn(
            id=(last.id + 1) if last else 1,
            speaker="system",
            kind="note",
            text=DISCARD_NOTE,
            round=last.round if last else None,
            started_at=now,
            ended_at=now,
        )
    )
    transcript.meta.status = "ended-early"
    transcript.meta.ended_at = transcript.meta.updated_at = now
    save_transcript(transcript, path)
    return path


# How many of the latest sessions count as "recent" when questions are drawn.
RECENT_SESSIONS = 3
# A topic whose mean score is below this is weighted up when questions are drawn.
WEAK_TOPIC_BELOW = 3.5


@dataclass(frozen=True)
class QuestionMemory:
    """What the candidate's past sessions of one pack say to the question draw
    (engine.session.plan_questions): how many sessions ago each question was last asked
    (0: the latest session) and the mean score per topic (a skipped or unanswered question
    counts as it does in the scores)."""

    last_asked: dict[str, int] = field(default_factory=dict)
    topic_scores: dict[str, float] = field(default_factory=dict)
    sessions: int = 0  # past sessions of the pack that were read
    recent: int = RECENT_SESSIONS

    @property
    def empty(self) -> bool:
        return not self.last_asked and not self.topic_scores

    def tier(self, question_id: str) -> int:
        """0 for a question not asked in the last ``recent`` sessions; else the higher,
        the more recently it was asked (drawn last)."""
        ago = self.last_asked.get(question_id)
        return 0 if ago is None or ago >= self.recent else self.recent - ago

    def weight(self, topic: str) -> float:
        """1, plus how far below ``WEAK_TOPIC_BELOW`` the topic's mean score is."""
        mean = self.topic_scores.get(topic)
        return 1.0 if mean is None else 1.0 + max(0.0, WEAK_TOPIC_BELOW - mean)


def question_memory(pack: RolePack, directory: Path | None = None) -> QuestionMemory:
    """The memory of the saved sessions of ``pack`` (newest first), read from their summaries."""
    topics = {q.id: q.topic for q in pack.questions}
    past = [s for s in session_overview(directory).readable if s.pack_id == pack.id and s.question_scores]
    last_asked: dict[str, int] = {}
    per_topic: dict[str, list[float]] = {}
    for ago, summary in enumerate(reversed(past)):
        for qid, score in summary.question_scores.items():
            last_asked.setdefault(qid, ago)
            if score is not None and qid in topics:
                per_topic.setdefault(topics[qid], []).append(score)
    return QuestionMemory(
        last_asked=last_asked,
        topic_scores={t: sum(v) / len(v) for t, v in per_topic.items()},
        sessions=len(past),
    )


@dataclass
class InterviewDefaults:
    """What a new-interview form starts from: the config file's ``[interview]`` table and the packs."""

    packs: list[str]
    pack: str
    rounds: list[str]
    questions_per_round: int | None
    time_limit_s: int | None
    interviewer_model: str
    settings_error: str | None = None  # the config file is unusable: its one-line reason
    keymap: dict[str, str] = field(default_factory=dict)  # the settings' [keymap]
    overview: SessionOverview = field(default_factory=lambda: SessionOverview([]))


def interview_defaults() -> InterviewDefaults:
    """The config file's interview defaults (built-in ones if it is unusable, with the reason),
    the installed packs and the saved sessions."""
    error, keymap = None, {}
    try:
        loaded = load_settings()
        settings, keymap = loaded.interview, loaded.keymap
    except ConfigError as exc:
        error, settings = str(exc), InterviewSettings()
    try:
        packs = [p.name for p in pack_dirs()] or [DEFAULT_PACK_ID]
    except OSError:
        packs = [DEFAULT_PACK_ID]
    return InterviewDefaults(
        packs=packs,
        pack=settings.pack if settings.pack in packs else packs[0],
        rounds=list(settings.rounds),
        questions_per_round=settings.questions_per_round,
        time_limit_s=settings.time_limit_s,
        interviewer_model=settings.interviewer_model,
        settings_error=error,
        keymap=keymap,
        overview=session_overview(),
    )
