"""Run an interview from a sequence of scripted actions: the service behind
``mockinterview interview --answers FILE --no-tui``.

The command parses its flags and the answers file into an ``InterviewConfig`` and
``Action``s, calls ``run_scripted_interview`` and renders the ``HeadlessResult`` (and the
engine events, through ``on_event``, as they happen). What this service decides: how a
session is created or resumed, which actions apply in which state (after a failed step
only /skip, /end-round and /end go on; answers wait for a resume), how many were left
unused, and the one-line errors a caller shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mockinterview.domain.transcript import Transcript
from mockinterview.engine.actions import WITHOUT_MODEL, Action
from mockinterview.engine.config import EngineError, InterviewConfig
from mockinterview.engine.interview_options import resume_target
from mockinterview.engine.session import InterviewSession, Listener, SessionState
from mockinterview.errors import OneLineError
from mockinterview.models import ModelSpecError
from mockinterview.packs.loader import PackLoadError
from mockinterview.storage.transcripts import (
    UNANSWERED_SCORE,
    TranscriptError,
    question_outcomes,
    round_scores,
)

__all__ = ["UNANSWERED_SCORE", "Action", "HeadlessError", "HeadlessResult", "run_scripted_interview"]


class HeadlessError(OneLineError):
    """The session could not start, or a step could not be saved. ``str(exc)`` is the one
    line to show; ``exit_code`` what a command exits with."""


@dataclass
class HeadlessResult:
    """How a scripted interview ended. The transcript is saved at ``path`` either way."""

    transcript: Transcript
    path: Path
    state: SessionState  # at the end: "finished", "awaiting-answer" (answers ran out), "needs-retry"
    fault: str | None = None  # the failed model step's message, when state is "needs-retry"
    unused_answers: int = 0  # actions that came when the session could not take them
    round_scores: dict[str, float] = field(default_factory=dict)
    overall: float | None = None
    unanswered: int = 0  # questions skipped or left unanswered (each scores UNANSWERED_SCORE)

    @property
    def session_id(self) -> str:
        return self.transcript.meta.id

    @property
    def status(self) -> str:
        return self.transcript.meta.status

    @property
    def resumable(self) -> bool:
        return self.status == "in-progress"

    @property
    def needs_retry(self) -> bool:
        return self.state == "needs-retry"


async def _open(
    config: InterviewConfig,
    on_event: Listener | None,
    resume: str | None,
    pack: str | None,
    overrides: dict[str, str | None] | None,
) -> InterviewSession:
    try:
        if resume is None:
            return await InterviewSession.create(config, on_event)
        target = resume_target(resume)
        # A model named by the caller replaces the recorded one (a grader whose server is
        # gone can be swapped for the stub, and the session still finishes).
        return await InterviewSession.resume(
            target,
            on_event,
            track_time=False,
            pack=pack,
            **{k: v for k, v in (overrides or {}).items() if v},
        )
    except PackLoadError as exc:
        raise HeadlessError(exc.one_line()) from None
    except (EngineError, TranscriptError, ModelSpecError) as exc:
        raise HeadlessError(str(exc)) from None
    except ModuleNotFoundError as exc:
        raise HeadlessError(f"cannot load the model: missing module {exc.name}") from None


async def _apply(session: InterviewSession, action: Action) -> None:
    if action.kind == "answer":
        await session.submit_answer(action.text)
    elif action.kind == "clarify":
        await session.ask_clarification(action.text)
    elif action.kind == "skip":
        await session.skip()
    elif action.kind == "end-round":
        await session.end_round()
    elif action.kind == "end":
        await session.end_session()


async def run_scripted_interview(
    config: InterviewConfig,
    actions: Iterable[Action],
    *,
    on_event: Listener | None = None,
    resume: str | None = None,
    pack: str | None = None,
    overrides: dict[str, str | None] | None = None,
) -> HeadlessResult:
    """Start ``config`` (or resume the session ``resume`` names; ``""`` = the latest
    interrupted one) and apply ``actions`` in order, each as soon as it arrives.

    Raises ``HeadlessError`` when the session cannot start or a save fails (the file keeps
    the last good save); a failed model step is not an error: the result says
    ``needs_retry`` and the session is saved for a resume."""
    session = await _open(config, on_event, resume, pack, overrides)
    leftover = 0
    try:
        await session.begin()
        for action in actions:
            ready = session.state == "awaiting-answer" or (
                session.state == "needs-retry" and action.kind in WITHOUT_MODEL
            )
            if not ready:
                leftover += 1
                continue
            try:
                await _apply(session, action)
            except EngineError as exc:
                raise HeadlessError(str(exc)) from None
    except TranscriptError as exc:  # a save failed (disk full ...): the file keeps the last good save
        raise HeadlessError(
            f"{exc}; the session is safe up to the last saved turn "
            f"(resume with: mockinterview interview --resume {session.transcript.meta.id})",
            exit_code=1,
        ) from None
    finally:
        await session.close()

    transcript = session.transcript
    per_round, overall = round_scores(transcript)
    return HeadlessResult(
        transcript=transcript,
        path=session.path,
        state=session.state,
        fault=session.fault.message if session.fault else None,
        unused_answers=leftover,
        round_scores=per_round,
        overall=overall,
        unanswered=sum(1 for o in question_outcomes(transcript) if o.unanswered),
    )
