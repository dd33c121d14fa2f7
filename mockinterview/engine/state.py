"""The session's state machine: where an interview stands and what it does next, derived
from its transcript alone.

The transcript is the only state. ``derive_cursor`` reads the turns recorded so far into
a ``Cursor``; ``next_step`` says what the session does from there (a round intro, a
question, a follow-up, a clarification, a grade, the closing - or wait for the
candidate). A fresh session, a resumed one and a retry after a model fault all run the
same code, so a crash at any moment loses nothing that was saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from mockinterview.domain.pack import RolePack
from mockinterview.domain.transcript import GradeRecord, Transcript, Turn
from mockinterview.engine.follow_ups import FollowUpChoice, choose_follow_up

# Markers of the candidate's "end round" / "end session" commands. They are system
# note turns (readable in the transcript) that the cursor recognises on resume.
END_ROUND_NOTE = "The candidate ended this round early."
END_SESSION_NOTE = "The candidate ended the session early."

Step = Literal[
    "finished", "await", "grade", "closing", "clarification", "round-intro", "follow-up", "question"
]


@dataclass
class Cursor:
    """Where the session stands, derived from its turns."""

    round_index: int | None = None
    question_index: int = -1
    question_id: str | None = None
    follow_ups: int = 0
    awaiting: Turn | None = None  # the question/follow-up/clarification the candidate should answer
    asked: Turn | None = None  # the question or follow-up being answered (clarifications don't reset it)
    pending_clarification: Turn | None = None  # asked, not yet answered by the interviewer
    last_answer: Turn | None = None  # latest answer to the current question, not yet moved past
    round_closed: bool = False
    session_ended: bool = False
    closed: bool = False
    answered: int = 0
    rounds_started: int = 0


def derive_cursor(transcript: Transcript) -> Cursor:
    """The cursor after every turn of ``transcript``."""
    c = Cursor()
    rounds = transcript.meta.rounds
    plan = transcript.meta.question_plan
    for turn in transcript.turns:
        kind = turn.kind
        if kind == "round-intro":
            c.round_index = rounds.index(turn.round) if turn.round in rounds else (c.round_index or 0)
            c.rounds_started += 1
            c.question_index, c.question_id, c.follow_ups = -1, None, 0
            c.awaiting = c.pending_clarification = c.last_answer = None
            c.round_closed = False
        elif kind == "question":
            ids = plan.get(turn.round or "", [])
            c.question_index = ids.index(turn.question_id) if turn.question_id in ids else c.question_index + 1
            c.question_id, c.follow_ups = turn.question_id, 0
            c.awaiting, c.pending_clarification, c.last_answer = turn, None, None
            c.asked = turn
        elif kind == "follow-up":
            c.follow_ups += 1
            c.awaiting, c.last_answer = turn, None
            c.asked = turn
        elif kind == "clarifying-question":
            c.pending_clarification = turn
        elif kind == "clarification":
            c.pending_clarification = None
            c.awaiting = turn
        elif kind == "answer":
            c.answered += 1
            c.awaiting, c.pending_clarification, c.last_answer = None, None, turn
        elif kind == "skip":
            c.awaiting = c.pending_clarification = c.last_answer = None
        elif kind == "note" and turn.text == END_ROUND_NOTE:
            c.round_closed = True
            c.awaiting = c.pending_clarification = None
        elif kind == "note" and turn.text == END_SESSION_NOTE:
            c.session_ended = True
            c.awaiting = c.pending_clarification = None
        elif kind == "closing":
            c.closed = True
    return c


def next_step(
    transcript: Transcript, c: Cursor, probe_for: Callable[[Cursor], FollowUpChoice | None]
) -> tuple[Step, Any]:
    """What the session does next from ``c``, and its argument. ``probe_for`` is asked
    only when a follow-up is possible (it reads the grades: not free)."""
    rounds = transcript.meta.rounds
    if c.closed:
        return ("finished", None)
    if c.last_answer is not None and transcript.grade_for(c.last_answer.id) is None:
        return ("grade", c.last_answer)  # never leave an answer ungraded, even when ending
    if c.session_ended:
        return ("closing", True)
    if c.pending_clarification is not None:
        return ("clarification", c.pending_clarification)
    if c.awaiting is not None:
        return ("await", c.awaiting)
    if c.round_index is None:
        return ("round-intro", 0)
    if c.last_answer is not None and not c.round_closed:
        probe = probe_for(c)
        if probe is not None:
            return ("follow-up", probe)
    round_id = rounds[c.round_index]
    if not c.round_closed and c.question_index + 1 < len(transcript.meta.question_plan[round_id]):
        return ("question", c.question_index + 1)
    if c.round_index + 1 < len(rounds):
        return ("round-intro", c.round_index + 1)
    return ("closing", False)


def question_grades(transcript: Transcript, c: Cursor) -> list[GradeRecord]:
    """Grades of the current question's answers, oldest first."""
    start = next(
        (t.id for t in reversed(transcript.turns) if t.kind == "question" and t.question_id == c.question_id),
        0,
    )
    return [g for g in transcript.grades if g.turn_id > start and g.question_id == c.question_id]


def probe_for(transcript: Transcript, pack: RolePack, c: Cursor, max_follow_ups: int) -> FollowUpChoice | None:
    """What to follow up on (engine/follow_ups.py): a challenge to a mistake of the latest
    answer, quoting it, or a bank probe on what it left out; never twice the same."""
    if c.follow_ups >= max_follow_ups or c.question_id is None:
        return None
    question = pack.question(c.question_id)
    # Replay the earlier choices so the k-th follow-up never repeats one.
    turns = {t.id: t for t in transcript.turns}
    used: set[str] = set()
    for record in question_grades(transcript, c)[: c.follow_ups]:
        answer = turns.get(record.turn_id)
        chosen = choose_follow_up(question, pack, record.grade, answer.text if answer else "", used)
        if chosen is not None:
            used.add(chosen.key)
    latest = transcript.grade_for(c.last_answer.id) if c.last_answer else None
    if latest is None:
        return None
    return choose_follow_up(question, pack, latest.grade, c.last_answer.text, used)


def max_follow_ups_seen(transcript: Transcript) -> int:
    """The most follow-ups any question of ``transcript`` got (older transcripts did not
    record their limit)."""
    best = current = 0
    for t in transcript.turns:
        if t.kind == "question":
            current = 0
        elif t.kind == "follow-up":
            current += 1
            best = max(best, current)
    return best
