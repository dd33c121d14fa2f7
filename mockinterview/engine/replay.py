"""Regrade saved sessions offline and say what changed: the service behind ``mockinterview replay``.

``stub`` regrades every answer with today's offline grader and rubric (what changed since
the session?); ``replay`` answers each grading request from the calls recorded in the
transcript, so an unchanged pipeline reproduces every grade byte for byte, and any drift
(prompt, rubric, parser) shows up as a replay miss naming the first difference.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from mockinterview.engine.answers import answer_texts_for_grades
from mockinterview.grading import grade_answer as offline_grade
from mockinterview.grading.checklist import remember_pack
from mockinterview.grading.model_grader import ModelGrader
from mockinterview.models import get_model
from mockinterview.models.base import ReplayMiss
from mockinterview.models.replay import ReplayProvider
from mockinterview.packs.loader import PackLoadError, load_pack
from mockinterview.storage.transcripts import TranscriptError, find_session, load_transcript


@dataclass
class RegradedAnswer:
    turn_id: int
    question_id: str | None
    old_score: float
    new_score: float | None = None
    identical: bool = False
    changes: list[str] = field(default_factory=list)
    error: str | None = None
    # ``replay --model replay`` only: today's offline grade of the same answer. An exact
    # replay proves the grade follows from the recorded replies, not that they are genuine:
    # a forged grade with a forged recorded call replays exactly; the offline grade does not
    # read the recording (docs/RELIABILITY.md).
    offline_score: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "turn_id": self.turn_id,
            "question_id": self.question_id,
            "old_score": self.old_score,
            "new_score": self.new_score,
            "delta": round(self.new_score - self.old_score, 2) if self.new_score is not None else None,
            "identical": self.identical,
            "changes": self.changes,
            "error": self.error,
            "offline_score": self.offline_score,
        }


@dataclass
class ReplayResult:
    source: str
    session_id: str = ""
    model: str = ""
    rows: list[RegradedAnswer] = field(default_factory=list)
    unused_calls: list[str] = field(default_factory=list)
    error: str | None = None  # a transcript-level failure (unreadable, pack missing)

    @property
    def misses(self) -> int:
        return sum(1 for r in self.rows if r.error)

    def to_json(self) -> dict[str, Any]:
        return {
            "transcript": self.source,
            "session_id": self.session_id,
            "model": self.model,
            "answers": len(self.rows),
            "identical": sum(1 for r in self.rows if r.identical),
            "changed": sum(1 for r in self.rows if r.new_score is not None and not r.identical),
            "misses": self.misses,
            "unused_calls": self.unused_calls,
            "error": self.error,
            "rows": [r.to_json() for r in self.rows],
        }


def describe_changes(old, new) -> list[str]:
    """Findings that differ between two grades, one short phrase each."""
    changes: list[str] = []
    old_cov = {k.id for k in old.key_points if k.covered}
    new_cov = {k.id for k in new.key_points if k.covered}
    changes += [f"+covered {k}" for k in sorted(new_cov - old_cov)]
    changes += [f"-covered {k}" for k in sorted(old_cov - new_cov)]
    old_m = {m.id for m in old.mistakes}
    new_m = {m.id for m in new.mistakes}
    changes += [f"+mistake {m}" for m in sorted(new_m - old_m)]
    changes += [f"-mistake {m}" for m in sorted(old_m - new_m)]
    changes += [f"+flag {f}" for f in sorted(set(new.flags) - set(old.flags))]
    changes += [f"-flag {f}" for f in sorted(set(old.flags) - set(new.flags))]
    if old.status != new.status:
        changes.append(f"status {old.status}->{new.status}")
    if not changes and old.model_dump_json() != new.model_dump_json():
        changes.append("details differ (evidence, feedback or rubric/prompt version)")
    return changes


async def replay_transcript(source: str, spec: str, pack_ref: str | None) -> ReplayResult:
    """Regrade one transcript (a path or a session id) with ``spec`` (``stub`` or ``replay``).
    Problems are reported on the result (``error``, a row's ``error``), never raised."""
    result = ReplayResult(source=source, model=spec)
    try:
        transcript = load_transcript(find_session(source))
    except TranscriptError as exc:
        result.error = str(exc)
        return result
    result.session_id = transcript.meta.id
    try:
        pack = load_pack(pack_ref or transcript.meta.pack_id)
    except PackLoadError as exc:
        result.error = exc.one_line()
        return result
    remember_pack(pack)
    model = get_model(spec, source_transcript=transcript)
    # The same grader the session used: as many samples per answer, the same ladder.
    grader = ModelGrader(
        model, concurrency=1, samples=transcript.meta.grading_samples if spec == "replay" else 1
    )
    # One pass for every grade's answer text, not a scan of the turns per grade.
    answers = answer_texts_for_grades(transcript, {record.turn_id for record in transcript.grades})
    try:
        for record in transcript.grades:
            row = RegradedAnswer(
                turn_id=record.turn_id, question_id=record.question_id, old_score=record.grade.score
            )
            result.rows.append(row)
            try:
                question = pack.question(record.question_id or "")
            except KeyError:
                row.error = f"question {record.question_id!r} is not in pack {pack.id} {pack.version}"
                continue
            if record.turn_id not in answers:
                row.error = (
                    f"grade refers to turn {record.turn_id}, which is not an answer in this transcript"
                )
                continue
            answer = answers[record.turn_id]
            if spec == "replay":  # beside the exact replay: what the offline grader says today
                row.offline_score = offline_grade(answer, question, pack).score
            # A replayed grade keeps its original grader label so it can be identical.
            label = record.grade.grader if spec == "replay" else None
            graded = await grader.grade(question, answer, pack, label=label)
            miss = next((o.error for o in graded.outcomes if isinstance(o.error, ReplayMiss)), None)
            if miss is not None:  # a recording that no longer matches is an error, never a fallback
                row.error = miss.message
                continue
            new = graded.grade
            row.new_score = new.score
            row.identical = new.model_dump_json() == record.grade.model_dump_json()
            row.changes = [] if row.identical else describe_changes(record.grade, new)
        if isinstance(model.provider, ReplayProvider):
            result.unused_calls = [c.id for c in model.provider.unused(purpose="grade")]
    finally:
        await model.aclose()
    return result


async def replay_many(sources: Iterable[str], spec: str, pack_ref: str | None) -> AsyncIterator[ReplayResult]:
    """One result per transcript, in order, each as soon as it is done: memory stays flat
    however many there are."""
    for source in sources:
        yield await replay_transcript(source, spec, pack_ref)
        # Offline regrading never waits on anything, so nothing would give the event loop a
        # turn: this is where a Ctrl-C (a cancelled task) stops the run between transcripts.
        await asyncio.sleep(0)
