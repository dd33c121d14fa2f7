"""Grading an answer during a session: the one grading path the session takes.

Every answer goes through the model grader (``grading.model_grader.ModelGrader``, the same
one ``grade`` and ``replay`` use). It never fails for the model's sake: a grader that
cannot produce a checklist yields the offline grade, flagged fallback.
"""

from __future__ import annotations

from mockinterview.domain.pack import RolePack
from mockinterview.domain.transcript import GradeRecord, Transcript, Turn
from mockinterview.engine.answers import answer_text_for_grade
from mockinterview.engine.events import ModelCallFinished, ModelCallStarted
from mockinterview.engine.interviewer import Emit
from mockinterview.grading.model_grader import ModelGrader


async def grade_answer_turn(
    grader: ModelGrader, model_name: str, pack: RolePack, transcript: Transcript, answer: Turn, emit: Emit
) -> GradeRecord:
    """The grade record of ``answer`` (with every earlier answer to its question: a
    follow-up can earn what the first answer missed). The caller keeps and saves it."""
    question = pack.question(answer.question_id)
    text = answer_text_for_grade(transcript, answer.id)
    await emit(ModelCallStarted(purpose="grade", model=model_name))
    result = await grader.grade(question, text, pack)
    await emit(ModelCallFinished(purpose="grade", model=model_name, ok=result.grade.status == "ok"))
    return GradeRecord(
        turn_id=answer.id,
        question_id=question.id,
        round=answer.round,
        grade=result.grade,
        model_call_ids=result.call_ids,
    )
