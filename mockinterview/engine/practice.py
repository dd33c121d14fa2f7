"""Feedback that teaches: the three things to fix in a session, another try at a question
(graded and kept beside the first attempt), and the practice plan across sessions.

Screens and commands call these; they read and write transcripts only through storage.

- ``top_fixes``: a session's three costliest problems, each with the candidate's own words
  and the line of the model answer that says it right.
- ``retry_question``: grade another attempt at an answered (or skipped) question with the
  session's grader and save it in the transcript's ``retries``; the session's scores stay.
- ``practice_plan``: over past sessions, the mistakes that recur, the key points most
  often missed, and the questions due for another try.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from mockinterview.domain.grade import Grade
from mockinterview.domain.pack import Question, RolePack
from mockinterview.domain.transcript import RetryAttempt, Transcript, Turn, utcnow
from mockinterview.storage.transcripts import (
    TranscriptError,
    final_grades,
    find_session,
    list_sessions,
    load_transcript,
    save_transcript,
)

FIXES = 3  # the session summary leads with this many
DUE_BELOW = 3.5  # a question whose latest attempt scored under this is due for another try
PLAN_SESSIONS = 30  # the practice plan reads at most this many recent sessions
PLAN_ITEMS = 5  # entries per section of the plan

# Full stops that do not end a sentence: "e.g. a lift curve" is one line of a model answer.
_ABBREVIATIONS = frozenset(
    [
        "e.g.",
        "i.e.",
        "etc.",
        "vs.",
        "cf.",
        "approx.",
        "incl.",
        "esp.",
        "resp.",
        "al.",
        "fig.",
        "no.",
        "dr.",
        "mr.",
        "mrs.",
        "ms.",
        "st.",
        "jr.",
        "sr.",
    ]
)
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s+|$)|\n\s*\n")


class PracticeError(ValueError):
    """A retry that cannot be made (no such answer, empty text); ``str`` is the reason."""


def sentences(text: str) -> list[str]:
    """``text`` split into sentences, never at an abbreviation ("e.g.") or inside a number."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        words = text[start:end].split()
        if m.group().startswith((".",)) and words and words[-1].lower().strip("\"')([]") in _ABBREVIATIONS:
            continue
        piece = text[start:end].strip()
        if piece:
            out.append(piece)
        start = end
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _best_sentence(text: str, about: Iterable[str], min_shared: int = 1) -> str | None:
    """The sentence of ``text`` sharing the most content words (at least ``min_shared``)
    with ``about``; None when no sentence does."""
    # deferred: the grading package costs the home screen's loading thread ~150 ms (measured)
    from mockinterview.grading.text import content_stems

    wanted: set[str] = set()
    for part in about:
        wanted.update(content_stems(part))
    best: tuple[int, str] | None = None
    for sentence in sentences(text):
        shared = len(wanted & set(content_stems(sentence)))
        if shared >= max(1, min_shared) and (best is None or shared > best[0]):
            best = (shared, sentence)
    return best[1] if best else None


# ---------------------------------------------------------------------------------------
# The three things to fix


@dataclass
class Fix:
    """One thing to fix: what went wrong, in the candidate's words, beside the model answer."""

    kind: Literal["mistake", "missed", "skipped"]
    title: str
    question_id: str
    question: str  # the bank question, as asked
    turn_id: int | None  # the graded answer (a retry's target); None for a skipped question
    score: float | None
    quote: str | None  # the candidate's own words (None: nothing they said is about it)
    model_line: str | None  # the model answer's line that says it right
    how: str = ""  # how to fix it (a mistake's advice from the pack)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _question(pack: RolePack | None, question_id: str | None) -> Question | None:
    if pack is None or not question_id:
        return None
    try:
        return pack.question(question_id)
    except KeyError:
        return None


def _pack(pack_id: str) -> RolePack | None:
    """The session's rubric pack, or None when it is not installed or broken (the plan
    then names questions and mistakes by id)."""
    from mockinterview.packs.loader import PackLoadError, load_pack

    try:
        return load_pack(pack_id)
    except PackLoadError:
        return None


def _mistake_title(pack: RolePack | None, mistake_id: str) -> str:
    try:
        return pack.mistake(mistake_id).title if pack is not None else mistake_id
    except KeyError:
        return mistake_id


def _answer_text(transcript: Transcript, turn_id: int) -> str:
    """Everything the candidate answered to the question of answer ``turn_id`` up to it
    (a follow-up's answer included): where a quote for a missed point is looked for."""
    target = next(t for t in transcript.turns if t.id == turn_id)
    return "\n\n".join(
        t.text
        for t in transcript.turns
        if t.kind == "answer" and t.question_id == target.question_id and t.id <= turn_id
    )


def top_fixes(transcript: Transcript, pack: RolePack | None, count: int = FIXES) -> list[Fix]:
    """The ``count`` costliest problems of a session: mistakes (major first), questions
    skipped, key points missed on the weakest answers; at most one per mistake, spread
    over the questions where possible."""
    candidates: list[tuple[float, float, Fix]] = []  # (priority, score, fix)
    graded_questions = set()
    for record in final_grades(transcript):
        question = _question(pack, record.question_id)
        if question is None:
            continue
        graded_questions.add(question.id)
        score = transcript.effective_score(record.turn_id)
        answer = _answer_text(transcript, record.turn_id)
        for finding in record.grade.mistakes:
            title, how, about = finding.id.replace("-", " "), "", [finding.evidence]
            try:
                mistake = pack.mistake(finding.id)  # type: ignore[union-attr]
            except KeyError:
                pass
            else:
                title, how = mistake.title, mistake.how_to_fix
                about = [mistake.title, mistake.definition, mistake.how_to_fix]
            fix = Fix(
                kind="mistake",
                title=title,
                question_id=question.id,
                question=question.text,
                turn_id=record.turn_id,
                score=score,
                quote=finding.evidence,
                # Only a question prone to the mistake has a model answer that avoids it; elsewhere
                # the advice stands alone rather than beside a stray line.
                model_line=(
                    _best_sentence(question.reference_answer, about, min_shared=2)
                    if finding.id in question.mistakes
                    else None
                ),
                how=how,
            )
            candidates.append((3.0 if finding.severity == "major" else 2.0, score or 0.0, fix))
        for kp in record.grade.missed:
            about = [kp.text]
            with_expressions = next((k for k in question.key_points if k.id == kp.id), None)
            if with_expressions is not None:
                about += with_expressions.expressions
            fix = Fix(
                kind="missed",
                title=kp.text,
                question_id=question.id,
                question=question.text,
                turn_id=record.turn_id,
                score=score,
                quote=kp.misconception or kp.contradicts or _best_sentence(answer, about),
                model_line=_best_sentence(question.reference_answer, about),
            )
            weight = with_expressions.weight if with_expressions is not None else 1.0
            candidates.append((min(1.9, weight), score or 0.0, fix))
    for turn in transcript.turns:
        if turn.kind != "skip" or turn.question_id in graded_questions:
            continue
        question = _question(pack, turn.question_id)
        if question is None or any(
            f.kind == "skipped" and f.question_id == question.id for *_, f in candidates
        ):
            continue
        reference = sentences(question.reference_answer)
        candidates.append(
            (
                2.5,
                0.0,
                Fix(
                    kind="skipped",
                    title=f"Skipped: {question.topic}",
                    question_id=question.id,
                    question=question.text,
                    turn_id=None,
                    score=None,
                    quote=None,
                    model_line=reference[0] if reference else None,
                    how="Try it: a partial answer that says what you would check scores above a skip.",
                ),
            )
        )
    candidates.sort(key=lambda c: (-c[0], c[1]))
    chosen: list[Fix] = []
    seen_mistakes: set[str] = set()
    for spread in (True, False):  # first one per question, then fill up
        for _, _, fix in candidates:
            if len(chosen) >= count:
                return chosen
            if fix in chosen or (fix.kind == "mistake" and fix.title in seen_mistakes):
                continue
            if spread and any(c.question_id == fix.question_id for c in chosen):
                continue
            chosen.append(fix)
            if fix.kind == "mistake":
                seen_mistakes.add(fix.title)
    return chosen


# ---------------------------------------------------------------------------------------
# Another try


@dataclass
class RetryOutcome:
    attempt: RetryAttempt
    path: Path
    question: str
    first_score: float | None  # the first attempt's score (a mentor's override wins); None: skipped
    now_covered: list[str] = field(default_factory=list)  # key points the retry covers, the first missed
    still_missed: list[str] = field(default_factory=list)
    mistakes_gone: list[str] = field(
        default_factory=list
    )  # the first attempt's mistakes not made again (titles)


def retry_target(transcript: Transcript, question_id: str) -> Turn:
    """The turn a retry of ``question_id`` sits beside: its final graded answer, or the skip."""
    for record in reversed(final_grades(transcript)):
        if record.question_id == question_id:
            return next(t for t in transcript.turns if t.id == record.turn_id)
    for turn in transcript.turns:
        if turn.kind == "skip" and turn.question_id == question_id:
            return turn
    raise PracticeError(f"question {question_id!r} was not asked in session {transcript.meta.id}")


def retry_questions(transcript: Transcript) -> list[tuple[str, Turn, float | None]]:
    """Every question of the session that can be retried, weakest first:
    (question id, the turn retried, its score or None when skipped)."""
    out: dict[str, tuple[str, Turn, float | None]] = {}
    for turn in transcript.turns:
        if turn.question_id and turn.kind in ("answer", "skip") and turn.question_id not in out:
            try:
                target = retry_target(transcript, turn.question_id)
            except PracticeError:
                continue
            score = transcript.effective_score(target.id) if target.kind == "answer" else None
            out[turn.question_id] = (turn.question_id, target, score)
    return sorted(out.values(), key=lambda item: item[2] if item[2] is not None else 0.0)


async def retry_question(session: str | Path, question_id: str, text: str) -> RetryOutcome:
    """Grade another attempt at ``question_id`` of a saved session with the session's grader
    (offline when it cannot be reached) and save it beside the first attempt."""
    from mockinterview.grading.model_grader import ModelGrader
    from mockinterview.models import CallLog, ModelSpecError, get_model
    from mockinterview.models.base import ModelError

    text = text.strip()
    if not text:
        raise PracticeError("type your new answer first")
    try:
        path = find_session(session)
        transcript = load_transcript(path)
    except TranscriptError as exc:
        raise PracticeError(str(exc)) from None
    target = retry_target(transcript, question_id)
    pack = _pack(transcript.meta.pack_id)
    if pack is None:
        raise PracticeError(f"rubric pack {transcript.meta.pack_id!r} cannot be loaded")
    question = _question(pack, question_id)
    if question is None:
        raise PracticeError(f"question {question_id!r} is not in rubric pack {pack.id!r}")
    log = CallLog(transcript.model_calls)
    try:
        grader = get_model(transcript.meta.grader_model).bind(log)
    except (ModelSpecError, ModelError):  # a model this machine cannot reach: grade offline
        grader = get_model("stub").bind(log)
    try:
        result = await ModelGrader(grader, concurrency=1, samples=transcript.meta.grading_samples or 1).grade(
            question, text, pack
        )
    finally:
        await grader.provider.aclose()
    attempt = RetryAttempt(
        id=f"r{len(transcript.retries) + 1}",
        question_id=question_id,
        round=target.round,
        first_turn_id=target.id,
        text=text,
        grade=result.grade,
        model_call_ids=list(result.call_ids),
        created_at=utcnow(),
    )
    transcript.retries.append(attempt)
    save_transcript(transcript, path)
    first = transcript.grade_for(target.id)
    outcome = RetryOutcome(
        attempt=attempt,
        path=path,
        question=question.text,
        first_score=transcript.effective_score(target.id) if first else None,
    )
    first_covered = {k.id for k in first.grade.covered} if first else set()
    outcome.now_covered = [k.text for k in result.grade.covered if k.id not in first_covered]
    outcome.still_missed = [k.text for k in result.grade.missed]
    again = {m.id for m in result.grade.mistakes}
    outcome.mistakes_gone = [
        _mistake_title(pack, m.id) for m in (first.grade.mistakes if first else []) if m.id not in again
    ]
    return outcome


def retries_for(transcript: Transcript, turn_id: int) -> list[RetryAttempt]:
    return [r for r in transcript.retries if r.first_turn_id == turn_id]


# ---------------------------------------------------------------------------------------
# The practice plan


@dataclass
class RecurringMistake:
    id: str
    title: str
    times: int  # answers that made it
    sessions: int
    last_quote: str
    how: str = ""


@dataclass
class MissedPoint:
    question_id: str
    key_point: str
    missed: int
    asked: int


@dataclass
class DueQuestion:
    question_id: str
    question: str
    topic: str
    last_score: float | None  # None: skipped
    when: datetime
    attempts: int
    session_id: str  # the session to retry it from


@dataclass
class PracticePlan:
    sessions: int
    mistakes: list[RecurringMistake] = field(default_factory=list)
    missed_points: list[MissedPoint] = field(default_factory=list)
    due: list[DueQuestion] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.mistakes or self.missed_points or self.due)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for item in data["due"]:
            item["when"] = item["when"].isoformat()
        return data


def _attempts(transcript: Transcript) -> Iterable[tuple[str, datetime, float, Grade]]:
    """(question id, when, score, grade) for every graded attempt: final answers and retries."""
    for record in final_grades(transcript):
        if record.question_id:
            score = transcript.effective_score(record.turn_id) or record.grade.score
            yield record.question_id, record.created_at, score, record.grade
    for retry in transcript.retries:
        yield retry.question_id, retry.created_at, retry.grade.score, retry.grade


@dataclass(frozen=True)
class _Attempt:
    question_id: str
    when: datetime
    score: float
    mistakes: tuple[tuple[str, str], ...]  # (mistake id, the candidate's words)
    key_points: tuple[tuple[str, str, bool], ...]  # (id, text, covered)


@dataclass(frozen=True)
class _Digest:
    """What the plan needs of one transcript (a few kB where the transcript is ~0.5 MB)."""

    session_id: str
    pack_id: str
    attempts: tuple[_Attempt, ...]
    skips: tuple[tuple[str, datetime], ...]  # questions skipped and never graded


# path -> ((inode, mtime_ns, size), digest): the home screen asks for the plan each time it
# shows; a transcript is parsed again only when it changed (each save is a new file).
_DIGESTS: dict[Path, tuple[tuple[int, int, int], _Digest | None]] = {}


def _digest(path: Path) -> _Digest | None:
    try:
        st = path.stat()
    except OSError:
        return None
    stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
    cached = _DIGESTS.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        transcript = load_transcript(path)
    except TranscriptError:
        digest = None
    else:
        attempts = tuple(
            _Attempt(
                question_id,
                when,
                score,
                tuple((m.id, m.evidence) for m in grade.mistakes),
                tuple((k.id, k.text, k.covered) for k in grade.key_points),
            )
            for question_id, when, score, grade in _attempts(transcript)
        )
        graded = {a.question_id for a in attempts}
        skips = tuple(
            (t.question_id, t.ended_at or t.started_at)
            for t in transcript.turns
            if t.kind == "skip" and t.question_id and t.question_id not in graded
        )
        digest = _Digest(transcript.meta.id, transcript.meta.pack_id, attempts, skips)
    _DIGESTS[path] = (stamp, digest)
    return digest


def practice_plan(directory: Path | None = None, *, limit: int = PLAN_ITEMS) -> PracticePlan:
    """What to practise next, from the most recent sessions (unreadable ones are skipped)."""
    summaries = [s for s in list_sessions(directory) if not s.error][-PLAN_SESSIONS:]
    packs: dict[str, RolePack | None] = {}
    mistakes: dict[str, RecurringMistake] = {}
    mistake_sessions: dict[str, set[str]] = {}
    points: dict[tuple[str, str], MissedPoint] = {}
    latest: dict[str, DueQuestion] = {}

    def due(question_id: str, score: float | None, when: datetime, session_id: str, pack) -> None:
        previous = latest.get(question_id)
        if previous is not None and when < previous.when:
            previous.attempts += 1
            return
        question = _question(pack, question_id)
        latest[question_id] = DueQuestion(
            question_id=question_id,
            question=question.text if question else question_id,
            topic=question.topic if question else "",
            last_score=score,
            when=when,
            attempts=(previous.attempts if previous else 0) + 1,
            session_id=session_id,
        )

    for summary in summaries:
        digest = _digest(summary.path)
        if digest is None:
            continue
        if digest.pack_id not in packs:
            packs[digest.pack_id] = _pack(digest.pack_id)
        pack = packs[digest.pack_id]
        for attempt in digest.attempts:
            for mistake_id, evidence in attempt.mistakes:
                entry = mistakes.get(mistake_id)
                if entry is None:
                    how = ""
                    if pack is not None:
                        with contextlib.suppress(KeyError):
                            how = pack.mistake(mistake_id).how_to_fix
                    title = _mistake_title(pack, mistake_id)
                    entry = mistakes[mistake_id] = RecurringMistake(mistake_id, title, 0, 0, "", how)
                entry.times += 1
                entry.last_quote = evidence
                mistake_sessions.setdefault(mistake_id, set()).add(digest.session_id)
            for kp_id, text, covered in attempt.key_points:
                point = points.setdefault(
                    (attempt.question_id, kp_id), MissedPoint(attempt.question_id, text, 0, 0)
                )
                point.asked += 1
                point.missed += 0 if covered else 1
            due(attempt.question_id, attempt.score, attempt.when, digest.session_id, pack)
        for question_id, when in digest.skips:  # a skipped question is due too
            due(question_id, None, when, digest.session_id, pack)
    for mistake_id, entry in mistakes.items():
        entry.sessions = len(mistake_sessions[mistake_id])
    plan = PracticePlan(sessions=len(summaries))
    plan.mistakes = sorted(mistakes.values(), key=lambda m: (-m.times, -m.sessions, m.title))[:limit]
    missed = sorted(
        (p for p in points.values() if p.missed), key=lambda p: (-p.missed, -p.missed / p.asked, p.key_point)
    )
    per_question: dict[str, int] = {}
    for point in missed:  # at most two per question: the plan spans the topics
        if per_question.get(point.question_id, 0) < 2 and len(plan.missed_points) < limit:
            plan.missed_points.append(point)
            per_question[point.question_id] = per_question.get(point.question_id, 0) + 1
    due_now = [d for d in latest.values() if d.last_score is None or d.last_score < DUE_BELOW]
    plan.due = sorted(due_now, key=lambda d: (d.last_score if d.last_score is not None else 0.0, d.when))[
        :limit
    ]
    return plan
