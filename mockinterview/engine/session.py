"""The interview session: rounds -> questions -> follow-ups -> clarifications -> grading.

UI-agnostic and async. A UI (the Textual app or the headless runner) calls the
public methods and renders the events of ``engine/events.py``; nothing here imports
Textual or rich.

Design: the transcript is the only state. What to do next is always derived from
the turns recorded so far (``engine/state.py``: the cursor and the next step), so a
fresh session, a resumed one and a retry after a model fault all run the same code
path, and a crash at any moment loses nothing that was saved. The transcript is saved
atomically after every turn and every grade; the candidate's answer is saved *before*
it is graded.

This module keeps the session's own jobs: its commands, running the steps, the question
clock, the lock and saving. The rest is in the engine's other modules: ``config`` (what a
session starts with, its pack and models), ``planning`` (the question draw),
``interviewer`` (one interviewer step through a model), ``answer_grading`` (the grading
path), ``answers`` (the text a grade judges).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mockinterview.domain.pack import FollowUp, Question, RolePack, RoundId
from mockinterview.domain.transcript import (
    Draft,
    SessionMeta,
    TokenUsage,
    Transcript,
    Turn,
    TurnKind,
    utcnow,
)
from mockinterview.engine.answer_grading import grade_answer_turn

# The engine's other modules (see their docstrings); the names used by callers and tests
# are re-exported here.
from mockinterview.engine.answers import (  # noqa: F401
    answer_text_for_grade,
    answer_texts_for_grades,
    without_key,
)
from mockinterview.engine.config import (  # noqa: F401
    EngineError,
    InterviewConfig,
    check_spec,
    grading_samples,
    load_session_pack,
    session_model,
)
from mockinterview.engine.events import (
    AwaitingAnswer,
    EngineEvent,
    GradeReady,
    ModelFault,
    RoundEnded,
    RoundStarted,
    Saved,
    SessionEnded,
    TokensUpdated,
    TurnAdded,
)
from mockinterview.engine.follow_ups import (
    FollowUpChoice,
    choose_probe,  # noqa: F401  (re-exported: callers and tests)
)
from mockinterview.engine.interviewer import Reply, interviewer_reply
from mockinterview.engine.planning import new_seed, new_session_id, plan_questions  # noqa: F401
from mockinterview.engine.sessions import question_memory
from mockinterview.engine.state import (  # noqa: F401
    END_ROUND_NOTE,
    END_SESSION_NOTE,
    Cursor,
    Step,
    derive_cursor,
    max_follow_ups_seen,
    next_step,
    probe_for,
)
from mockinterview.grading.model_grader import ModelGrader
from mockinterview.models import Model, TranscriptLog
from mockinterview.models.base import ModelError
from mockinterview.models.tokens import load_tokenizer

if TYPE_CHECKING:
    from mockinterview.storage.locks import SessionLock

log = logging.getLogger(__name__)

Listener = Callable[[EngineEvent], Awaitable[None] | None]
SessionState = Literal["not-started", "awaiting-answer", "busy", "needs-retry", "finished"]

# Notes recorded when a resume replaces a recorded model.
GRADER_CHANGED_NOTE = "Grader changed from {old} to {new} on resume."
INTERVIEWER_CHANGED_NOTE = "Interviewer changed from {old} to {new} on resume."



@dataclass(frozen=True)
class Progress:
    round: RoundId | None
    round_index: int  # 0-based; -1 before the first round starts
    total_rounds: int
    question_index: int  # 0-based within the round; -1 before its first question
    questions_in_round: int
    question_id: str | None
    follow_ups: int  # asked so far for the current question
    answered: int  # answers given in the whole session
    total_questions: int


def prepare(pack: str | Path, interviewer_model: str) -> None:
    """Load ahead what ``create`` and ``begin`` load on first use - the pack (the loader
    caches it until its files change), the session lock's library, the interviewer's
    tokenizer - so a UI can do it in a thread while the candidate reads the form, and not
    on its event loop when the interview starts. A problem is left for ``create`` to report."""
    from mockinterview.storage.locks import load_lock_library

    with contextlib.suppress(EngineError):
        load_session_pack(pack)
    load_lock_library()
    load_tokenizer(interviewer_model)


class InterviewSession:
    def __init__(
        self,
        transcript: Transcript,
        path: Path,
        pack: RolePack,
        config: InterviewConfig,
        listener: Listener | None,
        interviewer: Model,
        grader: Model,
    ) -> None:
        self.transcript = transcript
        self.path = path
        self.pack = pack
        self.config = config
        self.state: SessionState = "not-started"
        self.fault: ModelFault | None = None
        self._listener = listener
        # Every call of every model this session makes is recorded in its transcript
        # by one log, whatever the provider (the interviewer, the grader, the offline
        # stand-in), and accounted there (tokens, estimated cost).
        self.log = TranscriptLog(transcript, on_totals=self._on_totals)
        # The offline interviewer stands in where the session must move on without the
        # model: a closing after /end, a question skipped past a failed step.
        self._offline = session_model("stub").bind(self.log)
        self.use_models(interviewer, grader)
        self._lock = asyncio.Lock()
        self._round_ended_emitted: set[str] = set()
        # Set on resume: the clock of a question asked before the interruption restarts
        # here, so a session resumed the next day does not record a day-long overrun.
        self._resumed_at = None
        # The question clock stops while the candidate reads feedback (pause_clock /
        # resume_clock): seconds paused per asked turn, and since when it is paused.
        self._paused: dict[int, float] = {}
        self._paused_since = None
        # Events raised by synchronous bookkeeping (turn appended, saved), delivered
        # in order before the next emitted event.
        self._pending_events: list[EngineEvent] = []
        # The session's lock (storage.locks), held from create / resume until close().
        self._session_lock: SessionLock | None = None

    # -----------------------------------------------------------------------------
    # Construction

    @classmethod
    async def create(
        cls, config: InterviewConfig, listener: Listener | None = None, *, sessions_dir: Path | None = None
    ) -> InterviewSession:
        from mockinterview.grading.checklist import remember_pack
        from mockinterview.prompting import template_hash, template_names
        from mockinterview.storage.locks import SessionLock
        from mockinterview.storage.paths import sessions_dir as default_sessions_dir
        from mockinterview.storage.transcripts import default_path as default_transcript_path

        if config.max_follow_ups < 0:
            raise EngineError("max_follow_ups cannot be negative")
        if config.questions_per_round is not None and config.questions_per_round < 1:
            raise EngineError("questions per round must be at least 1")
        if not config.rounds:
            raise EngineError("no rounds selected")
        pack = load_session_pack(config.pack)
        remember_pack(pack)
        directory = sessions_dir or default_sessions_dir()
        seed, memory = config.seed, None
        if seed is None:
            seed, memory = new_seed(), question_memory(pack, directory)
        plan = plan_questions(pack, list(config.rounds), config.questions_per_round, seed, memory)
        interviewer = session_model(check_spec(config.interviewer_model))
        grader = (
            interviewer
            if config.grader_model == config.interviewer_model
            else session_model(check_spec(config.grader_model))
        )
        meta = SessionMeta(
            id=new_session_id(),
            pack_id=pack.id,
            pack_version=pack.version,
            pack_hash=pack.content_hash,
            interviewer_model=interviewer.name,
            grader_model=grader.name,
            prompt_hashes={name: template_hash(name) for name in template_names()},
            rounds=list(config.rounds),
            questions_per_round=config.questions_per_round or 0,
            question_plan=plan,
            seed=seed,
            plan_from_history=memory is not None and bool(memory.sessions),
            time_limit_s=config.time_limit_s,
            max_follow_ups=config.max_follow_ups,
            grading_samples=grading_samples(config, grader),
        )
        transcript = Transcript(meta=meta)
        path = default_transcript_path(transcript, Path(directory))
        lock = SessionLock(path, meta.id).acquire()
        try:
            session = cls(transcript, path, pack, config, listener, interviewer, grader)
            session._session_lock = lock
            session._save()
        except BaseException:
            lock.release()
            raise
        return session

    @classmethod
    async def resume(
        cls,
        id_or_path: str | Path,
        listener: Listener | None = None,
        *,
        track_time: bool = True,
        pack: str | Path | None = None,
        interviewer_model: str | None = None,
        grader_model: str | None = None,
    ) -> InterviewSession:
        """Continue an in-progress session. ``interviewer_model`` / ``grader_model``
        replace the recorded ones (e.g. ``stub`` when the server is gone): the change is
        recorded as a note and in the session's metadata."""
        from mockinterview.storage.locks import SessionLock
        from mockinterview.storage.transcripts import find_session

        path = find_session(id_or_path)
        # Locked before it is read: what this process loads is what no other one changes.
        lock = SessionLock(path, path.stem).acquire()
        try:
            session = await cls._resume_locked(
                path, listener, track_time=track_time, pack=pack,
                interviewer_model=interviewer_model, grader_model=grader_model,
            )  # fmt: skip
        except BaseException:
            lock.release()
            raise
        session._session_lock = lock
        return session

    @classmethod
    async def _resume_locked(
        cls,
        path: Path,
        listener: Listener | None,
        *,
        track_time: bool,
        pack: str | Path | None,
        interviewer_model: str | None,
        grader_model: str | None,
    ) -> InterviewSession:
        from mockinterview.grading.checklist import remember_pack
        from mockinterview.storage.transcripts import load_transcript

        transcript = load_transcript(path)
        meta = transcript.meta
        if meta.status != "in-progress":
            raise EngineError(
                f"session {meta.id} is {meta.status}; only an in-progress session can be resumed"
            )
        loaded = load_session_pack(pack or meta.pack_id)
        missing = [
            q for ids in meta.question_plan.values() for q in ids if q not in {x.id for x in loaded.questions}
        ]
        if missing:
            raise EngineError(
                f"rubric pack {loaded.id!r} no longer has question {missing[0]!r} planned by this session"
            )
        remember_pack(loaded)
        changes: list[str] = []
        if interviewer_model and check_spec(interviewer_model) != meta.interviewer_model:
            changes.append(INTERVIEWER_CHANGED_NOTE.format(old=meta.interviewer_model, new=interviewer_model))
            meta.interviewer_model = interviewer_model
        if grader_model and check_spec(grader_model) != meta.grader_model:
            changes.append(GRADER_CHANGED_NOTE.format(old=meta.grader_model, new=grader_model))
            meta.grader_model = grader_model
        config = InterviewConfig(
            pack=str(pack or meta.pack_id),
            rounds=list(meta.rounds),
            questions_per_round=meta.questions_per_round or None,
            time_limit_s=meta.time_limit_s,
            interviewer_model=meta.interviewer_model,
            grader_model=meta.grader_model,
            track_time=track_time,
            grading_samples=meta.grading_samples,
        )
        if meta.max_follow_ups is not None:
            config.max_follow_ups = meta.max_follow_ups
        else:  # an older transcript: allow at least as many as it already holds
            config.max_follow_ups = max(config.max_follow_ups, max_follow_ups_seen(transcript))
        interviewer = session_model(meta.interviewer_model)
        grader = interviewer if meta.grader_model == meta.interviewer_model else session_model(meta.grader_model)
        session = cls(transcript, path, loaded, config, listener, interviewer, grader)
        session.state = "not-started"  # begin() continues where the transcript stops
        session._resumed_at = utcnow()
        for text in changes:
            session._append(session._note(text, session._cursor()))
        return session

    def use_models(self, interviewer: Model | None = None, grader: Model | None = None) -> None:
        """Run the session with these models (from now on), each bound to the session's
        call log. Also how tests put a misbehaving provider in place."""
        if interviewer is not None:
            self._interviewer = interviewer.bind(self.log, on_notice=self._on_notice)
        if grader is not None:
            same = interviewer is not None and grader is interviewer
            self._grader = self._interviewer if same else grader.bind(self.log, on_notice=self._on_notice)
            self._model_grader = ModelGrader(
                self._grader, concurrency=1, samples=self.transcript.meta.grading_samples or 1
            )

    # -----------------------------------------------------------------------------
    # Public commands

    async def begin(self) -> None:
        """Start (round intro + first question) or continue a resumed session."""
        # The first interviewer request is budgeted in tokens: the tokenizer is built in a
        # thread, not on the caller's event loop (it held the TUI's loop ~0.3 s at start).
        await asyncio.to_thread(load_tokenizer, self._interviewer.name)
        async with self._lock:
            await self._advance()

    async def submit_answer(self, text: str) -> None:
        text = without_key(text)
        async with self._lock:
            cursor = self._require_awaiting()
            asked = cursor.asked or cursor.awaiting
            now = utcnow()
            self._append(
                Turn(
                    id=self._next_turn_id(),
                    speaker="candidate",
                    kind="answer",
                    text=text,
                    round=asked.round,
                    question_id=cursor.question_id,
                    reply_to=asked.id,
                    started_at=asked.ended_at or asked.started_at,
                    ended_at=now,
                )
            )
            self._note_overrun(cursor, now)
            await self._advance()

    async def ask_clarification(self, text: str) -> None:
        text = without_key(text)
        async with self._lock:
            self._append(self._candidate_turn("clarifying-question", text, self._require_awaiting()))
            await self._advance()

    async def skip(self) -> None:
        """Skip the question being asked. After a failed step it skips past that step:
        the offline interviewer stands in for what the model could not say (a question
        is then shown as the bank has it), so a dead server never traps the candidate."""
        async with self._lock:
            cursor = self._cursor()
            for _ in range(2):  # a failed round intro, then its first question
                if self.state != "needs-retry" or cursor.awaiting is not None or cursor.closed:
                    break
                cursor = await self._stand_in_for_failed_step(cursor)
            if cursor.awaiting is None:
                self._require_awaiting()  # raises with the reason
            self._append(self._candidate_turn("skip", "(skipped)", self._require_awaiting()))
            await self._advance()

    async def _stand_in_for_failed_step(self, cursor: Cursor) -> Cursor:
        """Write the failed step's turn with the offline interviewer; the new cursor."""
        step, arg = self._next_step(cursor)
        if step == "follow-up" and cursor.last_answer is not None:
            # Skipping a follow-up that could not be asked: leave the question behind.
            self._append(
                self._candidate_turn("skip", "(skipped)", cursor, reply_to=cursor.asked or cursor.last_answer)
            )
            return self._cursor()
        if step in ("round-intro", "question", "clarification"):
            self.fault = None
            await self._run(step, arg, cursor, model=self._offline)
        return self._cursor()

    def _candidate_turn(
        self, kind: TurnKind, text: str, cursor: Cursor, *, reply_to: Turn | None = None
    ) -> Turn:
        """A candidate turn replying to the question (or follow-up) being awaited."""
        to = reply_to or cursor.asked or cursor.awaiting
        return Turn(
            id=self._next_turn_id(),
            speaker="candidate",
            kind=kind,
            text=text,
            round=to.round,
            question_id=cursor.question_id,
            reply_to=to.id,
            ended_at=utcnow(),
        )

    async def end_round(self) -> None:
        async with self._lock:
            cursor = self._require_open()
            self._append(self._note(END_ROUND_NOTE, cursor))
            await self._advance()

    async def end_session(self) -> None:
        async with self._lock:
            cursor = self._require_open()
            self._append(self._note(END_SESSION_NOTE, cursor))
            await self._advance()

    async def retry(self) -> None:
        """Redo the step that failed. Nothing is lost: the step is derived again from
        the saved turns, exactly as after a resume."""
        async with self._lock:
            if self.state == "finished":
                raise EngineError("the session is finished")
            self.fault = None
            await self._advance()

    @property
    def draft(self) -> str:
        """The answer the candidate was typing when the session was left ("" if none)."""
        return self.transcript.draft.text if self.transcript.draft else ""

    def save_draft(self, text: str) -> None:
        """Keep the answer being typed with the transcript, so leaving, quitting or a crash
        loses none of it; blank text clears the draft. Saved only when it changed."""
        current = self.transcript.draft
        if not text.strip():
            if current is None:
                return
            self.transcript.draft = None
        else:
            if current is not None and current.text == text:
                return
            c = self._cursor()
            to = c.asked or c.awaiting
            self.transcript.draft = Draft(text=text, reply_to=to.id if to else None)
        self._save()

    def pause_clock(self) -> None:
        """Stop the question clock (the UI shows the round's feedback, say): time until
        ``resume_clock`` does not count toward the time limit of the question being asked,
        nor of one asked meanwhile."""
        if self._paused_since is None:
            self._paused_since = utcnow()

    def resume_clock(self) -> None:
        since, self._paused_since = self._paused_since, None
        asked = self._cursor()
        turn = asked.asked or asked.awaiting
        if since is None or turn is None or asked.last_answer is not None:
            return
        opened = turn.ended_at or turn.started_at
        paused = (utcnow() - max(since, opened)).total_seconds()
        if paused > 0:
            self._paused[turn.id] = self._paused.get(turn.id, 0.0) + paused

    async def close(self) -> None:
        """Release the model clients and the session's lock (another process may open it)."""
        try:
            models = (self._interviewer, self._grader, self._offline)
            for provider in {id(m.provider): m.provider for m in models}.values():
                await provider.aclose()
        finally:
            self.release_lock()

    def release_lock(self) -> None:
        if self._session_lock is not None:
            self._session_lock.release()

    def progress(self) -> Progress:
        c = self._cursor()
        rounds = self.transcript.meta.rounds
        plan = self.transcript.meta.question_plan
        round_id = rounds[c.round_index] if c.round_index is not None else None
        return Progress(
            round=round_id,
            round_index=c.round_index if c.round_index is not None else -1,
            total_rounds=len(rounds),
            question_index=c.question_index,
            questions_in_round=len(plan.get(round_id, [])) if round_id else 0,
            question_id=c.question_id,
            follow_ups=c.follow_ups,
            answered=c.answered,
            total_questions=sum(len(v) for v in plan.values()),
        )

    @property
    def current_question(self) -> Question | None:
        qid = self._cursor().question_id
        return self.pack.question(qid) if qid else None

    # -----------------------------------------------------------------------------
    # State derived from the transcript

    def _cursor(self) -> Cursor:
        return derive_cursor(self.transcript)

    def _next_step(self, c: Cursor) -> tuple[Step, Any]:
        return next_step(self.transcript, c, self._probe_for)

    def _probe_for(self, c: Cursor) -> FollowUpChoice | None:
        return probe_for(self.transcript, self.pack, c, self.config.max_follow_ups)

    # -----------------------------------------------------------------------------
    # Running steps

    async def _advance(self) -> None:
        """Run steps until the candidate has to act or the session is over."""
        self.state = "busy"
        while True:
            cursor = self._cursor()
            step, arg = self._next_step(cursor)
            if step == "finished":
                self.state = "finished"
                await self._flush()
                return
            if step == "await":
                self.state = "awaiting-answer"
                await self._emit(
                    AwaitingAnswer(question_id=cursor.question_id or "", time_limit_s=self._limit(cursor))
                )
                return
            try:
                await self._run(step, arg, cursor)
            except ModelError as exc:
                await self._on_fault(exc, step, cursor)
                return

    async def _run(self, step: str, arg: Any, c: Cursor, *, model: Model | None = None) -> None:
        """Run one step with the interviewer (or ``model``, the offline stand-in)."""
        meta = self.transcript.meta
        if step == "round-intro":
            index: int = arg
            if c.round_index is not None:
                await self._emit_round_ended(meta.rounds[c.round_index])
            round_id = meta.rounds[index]
            questions = len(meta.question_plan[round_id])
            await self._emit(
                RoundStarted(round=round_id, index=index, total_rounds=len(meta.rounds), questions=questions)
            )
            details = {"round_index": index, "total_rounds": len(meta.rounds), "questions": questions}
            reply = await self._interviewer_turn("round-intro", round_id, None, details, model=model)
            self._append(self._interviewer_turn_record("round-intro", reply, round_id, None))
        elif step == "question":
            round_id = meta.rounds[c.round_index]
            ids = meta.question_plan[round_id]
            question = self.pack.question(ids[arg])
            details = {"question_index": arg, "questions_in_round": len(ids)}
            reply = await self._interviewer_turn("question", round_id, question, details, model=model)
            self._append(self._interviewer_turn_record("question", reply, round_id, question.id))
        elif step == "follow-up":
            round_id = meta.rounds[c.round_index]
            question = self.pack.question(c.question_id)
            choice: FollowUpChoice = arg
            reply = await self._interviewer_turn(
                "follow-up",
                round_id,
                question,
                {},
                probe=choice.probe,
                follow_up=choice.prompt_data(),
                candidate_text=c.last_answer.text,
                model=model,
            )
            self._append(self._interviewer_turn_record("follow-up", reply, round_id, question.id))
        elif step == "clarification":
            asked: Turn = arg
            round_id = meta.rounds[c.round_index]
            question = self.pack.question(c.question_id)
            reply = await self._interviewer_turn(
                "clarification", round_id, question, {}, candidate_text=asked.text, model=model
            )
            turn = self._interviewer_turn_record("clarification", reply, round_id, question.id)
            self._append(turn.model_copy(update={"reply_to": asked.id}))
        elif step == "grade":
            await self._grade(arg)
        elif step == "closing":
            ended_early: bool = arg
            round_id = meta.rounds[c.round_index] if c.round_index is not None else meta.rounds[0]
            if c.round_index is not None:
                await self._emit_round_ended(round_id)
            answered = len({t.question_id for t in self.transcript.turns if t.kind == "answer"})
            details = {"answered": answered, "rounds_done": c.rounds_started, "ended_early": ended_early}
            try:
                reply = await self._interviewer_turn("closing", round_id, None, details, model=model)
            except ModelError as exc:
                # Ending never depends on the model: the offline interviewer says goodbye.
                self._append(self._note(f"Model error during closing: {exc.message}".splitlines()[0], c))
                reply = await self._interviewer_turn("closing", round_id, None, details, model=self._offline)
            meta.status = "ended-early" if ended_early else "completed"
            meta.ended_at = utcnow()
            self._append(self._interviewer_turn_record("closing", reply, round_id, None))
            # Finished and saved: a review (or a discard) may write it from now on.
            self.release_lock()
            await self._emit(SessionEnded(status=meta.status, path=self.path))
        else:  # pragma: no cover - _next_step only yields the steps above
            raise AssertionError(step)

    async def _interviewer_turn(
        self,
        step: str,
        round_id: RoundId,
        question: Question | None,
        details: dict[str, Any],
        *,
        probe: FollowUp | None = None,
        follow_up: dict[str, Any] | None = None,
        candidate_text: str | None = None,
        model: Model | None = None,
    ) -> Reply:
        return await interviewer_reply(
            model or self._interviewer,
            step,
            pack=self.pack,
            history=self.transcript.turns,
            round_id=round_id,
            question=question,
            details=details,
            context_budget_tokens=self.config.context_budget_tokens,
            variant_key=f"{self.transcript.meta.id}:{self._next_turn_id()}",
            emit=self._emit,
            probe=probe,
            follow_up=follow_up,
            candidate_text=candidate_text,
        )

    def _interviewer_turn_record(
        self, kind: str, reply: Reply, round_id: RoundId, question_id: str | None
    ) -> Turn:
        now = utcnow()
        return Turn(
            id=self._next_turn_id(),
            speaker="interviewer",
            kind=kind,  # type: ignore[arg-type]
            text=reply.text,
            round=round_id,
            question_id=question_id,
            started_at=now,
            ended_at=now,
            model_call_ids=[reply.call_id],
            cut_off=reply.cut_off,
        )

    async def _grade(self, answer: Turn) -> None:
        """Grade through the model grader (engine/answer_grading.py), keep and save the grade."""
        record = await grade_answer_turn(
            self._model_grader, self._grader.name, self.pack, self.transcript, answer, self._emit
        )
        self.transcript.grades.append(record)
        self._save()
        await self._emit(GradeReady(record=record))

    def _on_totals(self, usage: TokenUsage, cost_usd: float) -> None:
        self._pending_events.append(TokensUpdated(usage=usage, estimated_cost_usd=cost_usd))

    def _on_notice(self, text: str) -> None:
        """Something the endpoint said that the candidate should know (a model name it
        does not serve): a note in the transcript, shown by every UI."""
        self._append(self._note(text, self._cursor()))

    async def _on_fault(self, exc: ModelError, step: str, cursor: Cursor) -> None:
        message = f"{step} failed: {exc.message}".splitlines()[0]
        self._append(self._note(f"Model error during {step}: {exc.message}".splitlines()[0], cursor))
        self.fault = ModelFault(message=message, retryable=exc.retryable)
        self.state = "needs-retry"
        await self._emit(self.fault)

    # -----------------------------------------------------------------------------
    # Helpers

    def _require_awaiting(self) -> Cursor:
        cursor = self._cursor()
        if self.state == "needs-retry" and cursor.awaiting is None:
            raise EngineError("the last step failed; retry it first")
        if cursor.awaiting is None or cursor.closed:
            raise EngineError("the interviewer is not waiting for an answer right now")
        return cursor

    def _require_open(self) -> Cursor:
        cursor = self._cursor()
        if cursor.closed or self.state == "finished":
            raise EngineError("the session is finished")
        return cursor

    def _limit(self, c: Cursor) -> int | None:
        if self.config.time_limit_s is not None:
            return self.config.time_limit_s
        return self.pack.question(c.question_id).time_limit_s if c.question_id else None

    def _note_overrun(self, c: Cursor, now) -> None:
        limit = self._limit(c)
        asked = c.asked or c.awaiting
        if not self.config.track_time or not limit or asked is None:
            return
        started = asked.ended_at or asked.started_at
        if self._resumed_at is not None and self._resumed_at > started:
            started = self._resumed_at
        elapsed = (now - started).total_seconds() - self._paused.get(asked.id, 0.0)
        if elapsed > limit:
            self._append(self._note(f"Time limit of {limit} s exceeded by {elapsed - limit:.0f} s.", c))

    def _note(self, text: str, c: Cursor) -> Turn:
        rounds = self.transcript.meta.rounds
        return Turn(
            id=self._next_turn_id(),
            speaker="system",
            kind="note",
            text=text,
            round=rounds[c.round_index] if c.round_index is not None else None,
            question_id=c.question_id,
            ended_at=utcnow(),
        )

    def _next_turn_id(self) -> int:
        return (self.transcript.turns[-1].id + 1) if self.transcript.turns else 1

    def _append(self, turn: Turn) -> None:
        self.transcript.turns.append(turn)
        if turn.speaker == "candidate":
            self.transcript.draft = None  # answered, asked or skipped: the draft is spent
        c = self._cursor() if turn.kind in ("question", "follow-up") else None
        event = TurnAdded(turn=turn)
        if c is not None and c.round_index is not None:
            round_id = self.transcript.meta.rounds[c.round_index]
            event = TurnAdded(
                turn=turn,
                question_index=c.question_index,
                questions_in_round=len(self.transcript.meta.question_plan[round_id]),
            )
        self._pending_events.append(event)
        self._save()

    def _save(self) -> None:
        from mockinterview.storage.transcripts import save_transcript

        self.transcript.meta.updated_at = utcnow()
        save_transcript(self.transcript, self.path)
        self._pending_events.append(Saved(path=self.path))

    async def _emit_round_ended(self, round_id: str) -> None:
        if round_id in self._round_ended_emitted:
            return
        self._round_ended_emitted.add(round_id)
        from mockinterview.storage.transcripts import final_grades

        grades = [g for g in final_grades(self.transcript) if g.round == round_id]
        await self._emit(RoundEnded(round=round_id, grades=grades))  # type: ignore[arg-type]

    async def _emit(self, event: EngineEvent) -> None:
        await self._flush()
        await self._deliver(event)

    async def _flush(self) -> None:
        while self._pending_events:
            await self._deliver(self._pending_events.pop(0))

    async def _deliver(self, event: EngineEvent) -> None:
        if self._listener is None:
            return
        # A failing listener (a UI bug) must not stop the interview half-way through a
        # step: the turn is saved either way, so the error is logged and the step goes on.
        try:
            result = self._listener(event)
            if inspect.isawaitable(result):
                await result
        except BrokenPipeError:
            raise  # the output went away (`| head`): the command ends quietly
        except Exception:
            log.exception("engine listener failed on %s", type(event).__name__)
