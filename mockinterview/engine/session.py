"""The interview engine: rounds -> questions -> follow-ups -> clarifications -> grading.

UI-agnostic and async. A UI (the Textual app or the headless runner) calls the
public methods and renders the events of ``engine/events.py``; nothing here imports
Textual or rich.

Design: the transcript is the only state. What to do next is always derived from
the turns recorded so far (``_cursor``), so a fresh session, a resumed one and a
retry after a model fault all run the same code path, and a crash at any moment
loses nothing that was saved. The transcript is saved atomically after every turn
and every grade; the candidate's answer is saved *before* it is graded.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mockinterview.conversation import (
    STEP_MAX_TOKENS,
    compose_question,
    finish_reply,
    first_paragraph,
    interviewer_request,
)
from mockinterview.domain.pack import FollowUp, Question, RolePack, RoundId
from mockinterview.domain.rounds import ROUND_ORDER
from mockinterview.domain.transcript import (
    Draft,
    GradeRecord,
    SessionMeta,
    TokenUsage,
    Transcript,
    Turn,
    TurnKind,
    utcnow,
)
from mockinterview.engine.events import (
    AwaitingAnswer,
    EngineEvent,
    GradeReady,
    InterviewerChunk,
    ModelCallFinished,
    ModelCallStarted,
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
    choose_follow_up,
    choose_probe,  # noqa: F401  (re-exported: callers and tests)
)
from mockinterview.engine.sessions import QuestionMemory, question_memory
from mockinterview.grading.model_grader import ModelGrader
from mockinterview.models import Model, TranscriptLog
from mockinterview.models.base import ContextTooLong, ModelError
from mockinterview.storage.config import InterviewSettings

if TYPE_CHECKING:
    from mockinterview.storage.locks import SessionLock

log = logging.getLogger(__name__)

Listener = Callable[[EngineEvent], Awaitable[None] | None]
SessionState = Literal["not-started", "awaiting-answer", "busy", "needs-retry", "finished"]

# Markers of the candidate's "end round" / "end session" commands. They are system
# note turns (readable in the transcript) that the cursor recognises on resume.
END_ROUND_NOTE = "The candidate ended this round early."
END_SESSION_NOTE = "The candidate ended the session early."
GRADER_CHANGED_NOTE = "Grader changed from {old} to {new} on resume."
INTERVIEWER_CHANGED_NOTE = "Interviewer changed from {old} to {new} on resume."


class EngineError(Exception):
    """A request the session cannot honour now (wrong state, bad config). One line."""


def _setting_default(name: str) -> Any:
    return InterviewSettings.model_fields[name].default


@dataclass
class InterviewConfig:
    # The defaults are config.toml's [interview] defaults (storage/config.InterviewSettings),
    # defined there once.
    pack: str = _setting_default("pack")
    rounds: list[RoundId] = field(default_factory=lambda: list(ROUND_ORDER))
    questions_per_round: int | None = _setting_default("questions_per_round")  # None: each round's default
    time_limit_s: int | None = _setting_default("time_limit_s")  # per question; None: the question's own
    interviewer_model: str = _setting_default("interviewer_model")  # "stub" | "openai:NAME"
    grader_model: str = _setting_default("grader_model")
    max_follow_ups: int = _setting_default("max_follow_ups")
    # Question selection. None (the default): a fresh seed for every session, and the
    # draw prefers questions the candidate has not seen recently and topics where past
    # sessions scored low. A number pins the draw to that seed alone, so a seed names one
    # interview. Either way the seed and the plan are recorded in the transcript.
    seed: int | None = None
    # Record time-limit overruns as notes. Headless runs turn this off: scripted
    # answers arrive instantly or after arbitrary pauses, so wall time means nothing.
    track_time: bool = True
    # Prompt tokens sent to the interviewer model; None: the endpoint's budget
    # (config.toml context_budget_tokens, else its kind's default), always kept below a
    # context window the server has told.
    context_budget_tokens: int | None = None
    # Checklists per answer from a model grader (their agreement is recorded); None: the
    # grader endpoint's grading_samples setting (1 for the stub).
    grading_samples: int | None = None


@dataclass(frozen=True)
class _Reply:
    """What an interviewer step produced: the turn's text, its recorded call, and
    whether the model was cut off at the token limit."""

    text: str
    call_id: str
    cut_off: bool = False


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


@dataclass
class _Cursor:
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


def _load_pack(ref):
    """The rubric pack, or an EngineError with a one-line reason."""
    from mockinterview.packs.loader import PackLoadError, load_pack

    try:
        return load_pack(ref)
    except PackLoadError as exc:
        head = str(exc).splitlines()[0]
        raise EngineError(f"{head}: {exc.problems[0]}" if exc.problems else head) from None


def _model(spec: str) -> Model:
    from mockinterview.models import ModelSpecError, get_model

    try:
        return get_model(spec)
    except (ModelSpecError, ModelError) as exc:
        raise EngineError(str(exc)) from None


def _samples(config: InterviewConfig, grader: Model) -> int:
    if config.grading_samples is not None:
        return config.grading_samples
    settings = grader.settings
    return settings.endpoint().grading_samples if settings is not None else 1


def _check_spec(spec: str) -> str:
    """A model spec a session may use: stub or openai:NAME (replay only answers replays)."""
    spec = (spec or "").strip()
    if spec == "stub" or (spec.startswith("openai:") and spec.removeprefix("openai:").strip()):
        return spec
    raise EngineError(f"unknown model {spec!r} (expected stub or openai:NAME)")


def new_session_id() -> str:
    return f"{utcnow():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def new_seed() -> int:
    """A fresh question-selection seed (recorded in the transcript)."""
    return secrets.randbelow(2**31)


def plan_questions(
    pack: RolePack,
    rounds: list[RoundId],
    per_round: int | None,
    seed: int,
    memory: QuestionMemory | None = None,
) -> dict[str, list[str]]:
    """Which questions each round asks, fixed at the start: same pack, seed and memory,
    same plan.

    Without ``memory`` (or with an empty one) it is a uniform draw. With it, questions asked in the last
    ``memory.recent`` sessions come last (the longest ago first among them), and within
    each of those tiers a question is more likely the lower the candidate's mean score on
    its topic: weight ``1 + max(0, 3.5 - mean)`` (weighted sampling without replacement,
    keys ``u ** (1 / weight)``)."""
    declared = {r.id: r for r in pack.meta.rounds}
    plan: dict[str, list[str]] = {}
    for round_id in rounds:
        if round_id not in declared:
            raise EngineError(f"round {round_id!r} is not in rubric pack {pack.id!r}")
        pool = pack.questions_for(round_id)
        if not pool:
            raise EngineError(f"rubric pack {pack.id!r} has no questions for round {round_id!r}")
        wanted = per_round or declared[round_id].default_questions
        rng = random.Random(f"{seed}:{pack.id}:{round_id}")
        if memory is None or memory.empty:
            plan[round_id] = [q.id for q in rng.sample(pool, min(wanted, len(pool)))]
            continue
        keyed = [(memory.tier(q.id), -(rng.random() ** (1.0 / memory.weight(q.topic))), q.id) for q in pool]
        plan[round_id] = [qid for _, _, qid in sorted(keyed)[:wanted]]
    return plan


def _without_key(text: str) -> str:
    """A candidate's words with the configured API key (pasted by mistake) redacted, whatever
    its length: it is never kept, graded, sent to a model, shown or exported."""
    from mockinterview.storage.config import redact_key
    from mockinterview.storage.transcripts import REDACTED_KEY

    return redact_key(text, REDACTED_KEY)


def answer_text_for_grade(transcript: Transcript, turn_id: int) -> str:
    """What a grade of answer ``turn_id`` judges: every answer the candidate gave to
    that question so far (main answer plus follow-up answers), so a follow-up can earn
    the points the first answer missed. Replay rebuilds grading requests with this."""
    turns = {t.id: t for t in transcript.turns}
    target = turns[turn_id]
    start = 0
    for t in transcript.turns:
        if t.id >= turn_id:
            break
        if t.kind == "question" and t.question_id == target.question_id:
            start = t.id
    parts = [
        t.text
        for t in transcript.turns
        if start < t.id <= turn_id and t.kind == "answer" and t.question_id == target.question_id
    ]
    return "\n\n".join(parts)


def answer_texts_for_grades(transcript: Transcript, turn_ids: set[int]) -> dict[int, str]:
    """``answer_text_for_grade`` of each of ``turn_ids`` that is an answer, in one pass over
    the turns (a pass per grade made replay quadratic: 222 s on a 28 MB transcript)."""
    turns = transcript.turns
    if any(a.id >= b.id for a, b in zip(turns, turns[1:], strict=False)):
        # Turns out of id order (hand-edited files): the definition, turn by turn.
        return {
            t.id: answer_text_for_grade(transcript, t.id) for t in turns if t.kind == "answer" and t.id in turn_ids
        }
    out: dict[int, str] = {}
    since_question: dict[str | None, list[str]] = {}  # the answers since the question was asked
    for t in turns:
        if t.kind == "question":
            since_question[t.question_id] = []
        elif t.kind == "answer":
            parts = since_question.setdefault(t.question_id, [])
            parts.append(t.text)
            if t.id in turn_ids:
                out[t.id] = "\n\n".join(parts)
    return out


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
        self._offline = _model("stub").bind(self.log)
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
        pack = _load_pack(config.pack)
        remember_pack(pack)
        directory = sessions_dir or default_sessions_dir()
        seed, memory = config.seed, None
        if seed is None:
            seed, memory = new_seed(), question_memory(pack, directory)
        plan = plan_questions(pack, list(config.rounds), config.questions_per_round, seed, memory)
        interviewer = _model(_check_spec(config.interviewer_model))
        grader = (
            interviewer
            if config.grader_model == config.interviewer_model
            else _model(_check_spec(config.grader_model))
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
            grading_samples=_samples(config, grader),
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
        loaded = _load_pack(pack or meta.pack_id)
        missing = [
            q for ids in meta.question_plan.values() for q in ids if q not in {x.id for x in loaded.questions}
        ]
        if missing:
            raise EngineError(
                f"rubric pack {loaded.id!r} no longer has question {missing[0]!r} planned by this session"
            )
        remember_pack(loaded)
        changes: list[str] = []
        if interviewer_model and _check_spec(interviewer_model) != meta.interviewer_model:
            changes.append(INTERVIEWER_CHANGED_NOTE.format(old=meta.interviewer_model, new=interviewer_model))
            meta.interviewer_model = interviewer_model
        if grader_model and _check_spec(grader_model) != meta.grader_model:
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
            config.max_follow_ups = max(config.max_follow_ups, cls._max_follow_ups_seen(transcript))
        interviewer = _model(meta.interviewer_model)
        grader = interviewer if meta.grader_model == meta.interviewer_model else _model(meta.grader_model)
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

    @staticmethod
    def _max_follow_ups_seen(transcript: Transcript) -> int:
        best = current = 0
        for t in transcript.turns:
            if t.kind == "question":
                current = 0
            elif t.kind == "follow-up":
                current += 1
                best = max(best, current)
        return best

    # -----------------------------------------------------------------------------
    # Public commands

    async def begin(self) -> None:
        """Start (round intro + first question) or continue a resumed session."""
        async with self._lock:
            await self._advance()

    async def submit_answer(self, text: str) -> None:
        text = _without_key(text)
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
        text = _without_key(text)
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

    async def _stand_in_for_failed_step(self, cursor: _Cursor) -> _Cursor:
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
        self, kind: TurnKind, text: str, cursor: _Cursor, *, reply_to: Turn | None = None
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

    def _cursor(self) -> _Cursor:
        c = _Cursor()
        rounds = self.transcript.meta.rounds
        plan = self.transcript.meta.question_plan
        for turn in self.transcript.turns:
            kind = turn.kind
            if kind == "round-intro":
                c.round_index = rounds.index(turn.round) if turn.round in rounds else (c.round_index or 0)
                c.rounds_started += 1
                c.question_index, c.question_id, c.follow_ups = -1, None, 0
                c.awaiting = c.pending_clarification = c.last_answer = None
                c.round_closed = False
            elif kind == "question":
                ids = plan.get(turn.round or "", [])
                c.question_index = (
                    ids.index(turn.question_id) if turn.question_id in ids else c.question_index + 1
                )
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

    def _next_step(self, c: _Cursor) -> tuple[str, Any]:
        rounds = self.transcript.meta.rounds
        if c.closed:
            return ("finished", None)
        if c.last_answer is not None and self.transcript.grade_for(c.last_answer.id) is None:
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
            probe = self._probe_for(c)
            if probe is not None:
                return ("follow-up", probe)
        round_id = rounds[c.round_index]
        if not c.round_closed and c.question_index + 1 < len(self.transcript.meta.question_plan[round_id]):
            return ("question", c.question_index + 1)
        if c.round_index + 1 < len(rounds):
            return ("round-intro", c.round_index + 1)
        return ("closing", False)

    def _question_grades(self, c: _Cursor) -> list[GradeRecord]:
        """Grades of the current question's answers, oldest first."""
        start = next(
            (
                t.id
                for t in reversed(self.transcript.turns)
                if t.kind == "question" and t.question_id == c.question_id
            ),
            0,
        )
        return [g for g in self.transcript.grades if g.turn_id > start and g.question_id == c.question_id]

    def _probe_for(self, c: _Cursor) -> FollowUpChoice | None:
        """What to follow up on (engine/follow_ups.py): a challenge to a mistake of the latest
        answer, quoting it, or a bank probe on what it left out; never twice the same."""
        if c.follow_ups >= self.config.max_follow_ups or c.question_id is None:
            return None
        question = self.pack.question(c.question_id)
        # Replay the earlier choices so the k-th follow-up never repeats one.
        turns = {t.id: t for t in self.transcript.turns}
        used: set[str] = set()
        for record in self._question_grades(c)[: c.follow_ups]:
            answer = turns.get(record.turn_id)
            chosen = choose_follow_up(question, self.pack, record.grade, answer.text if answer else "", used)
            if chosen is not None:
                used.add(chosen.key)
        latest = self.transcript.grade_for(c.last_answer.id) if c.last_answer else None
        if latest is None:
            return None
        return choose_follow_up(question, self.pack, latest.grade, c.last_answer.text, used)

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

    async def _run(self, step: str, arg: Any, c: _Cursor, *, model: Model | None = None) -> None:
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
    ) -> _Reply:
        model = model or self._interviewer

        async def on_chunk(text: str) -> None:
            await self._emit(InterviewerChunk(text=text))

        for attempt in (1, 2):
            known_window = model.context_window
            request = interviewer_request(
                step,
                pack=self.pack,
                question=question,
                history=self.transcript.turns,
                round_id=round_id,
                probe=probe,
                follow_up=follow_up,
                candidate_text=candidate_text,
                model_name=model.name,
                budget_tokens=model.prompt_budget(STEP_MAX_TOKENS[step], self.config.context_budget_tokens),
                details=details,
                variant_key=f"{self.transcript.meta.id}:{self._next_turn_id()}",
            )
            await self._emit(ModelCallStarted(purpose=step, model=model.name))
            try:
                response, call = await model.complete_recorded(request, on_chunk)
            except ContextTooLong:
                await self._emit(ModelCallFinished(purpose=step, model=model.name, ok=False))
                if attempt == 1 and model.context_window and model.context_window != known_window:
                    continue  # the server named its context size: budget below it, once
                raise
            except ModelError:
                await self._emit(ModelCallFinished(purpose=step, model=model.name, ok=False))
                raise
            await self._emit(ModelCallFinished(purpose=step, model=model.name, ok=True))
            break
        if step == "question":
            # The bank question, verbatim, after whatever whole lead-in the model wrote:
            # nothing cut is shown (the call keeps the reply and its finish_reason).
            return _Reply(compose_question(response.text, question), call.id, False)
        text = finish_reply(response.text, response.cut_off)
        if not text:
            raise ModelError(f"{model.name} returned an empty reply", retryable=True)
        # Marked only when the paragraph kept was cut (not when the cut came after it).
        return _Reply(text, call.id, first_paragraph(response.text, response.cut_off)[1])

    def _interviewer_turn_record(
        self, kind: str, reply: _Reply, round_id: RoundId, question_id: str | None
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
        """Grade through the model grader. It never fails for the model's sake: a grader
        that cannot produce a checklist yields the offline grade, flagged fallback."""
        question = self.pack.question(answer.question_id)
        text = answer_text_for_grade(self.transcript, answer.id)
        await self._emit(ModelCallStarted(purpose="grade", model=self._grader.name))
        result = await self._model_grader.grade(question, text, self.pack)
        await self._emit(
            ModelCallFinished(purpose="grade", model=self._grader.name, ok=result.grade.status == "ok")
        )
        record = GradeRecord(
            turn_id=answer.id,
            question_id=question.id,
            round=answer.round,
            grade=result.grade,
            model_call_ids=result.call_ids,
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

    async def _on_fault(self, exc: ModelError, step: str, cursor: _Cursor) -> None:
        message = f"{step} failed: {exc.message}".splitlines()[0]
        self._append(self._note(f"Model error during {step}: {exc.message}".splitlines()[0], cursor))
        self.fault = ModelFault(message=message, retryable=exc.retryable)
        self.state = "needs-retry"
        await self._emit(self.fault)

    # -----------------------------------------------------------------------------
    # Helpers

    def _require_awaiting(self) -> _Cursor:
        cursor = self._cursor()
        if self.state == "needs-retry" and cursor.awaiting is None:
            raise EngineError("the last step failed; retry it first")
        if cursor.awaiting is None or cursor.closed:
            raise EngineError("the interviewer is not waiting for an answer right now")
        return cursor

    def _require_open(self) -> _Cursor:
        cursor = self._cursor()
        if cursor.closed or self.state == "finished":
            raise EngineError("the session is finished")
        return cursor

    def _limit(self, c: _Cursor) -> int | None:
        if self.config.time_limit_s is not None:
            return self.config.time_limit_s
        return self.pack.question(c.question_id).time_limit_s if c.question_id else None

    def _note_overrun(self, c: _Cursor, now) -> None:
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

    def _note(self, text: str, c: _Cursor) -> Turn:
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
