"""Grading an answer with any model - stub, replay or openai - through one path.

``ModelGrader.grade`` builds the checklist request (``grading.checklist``), gets the
reply through the model's structured-output ladder (``Model.structured``; every attempt
is a recorded call), and merges the checklist with the offline grader's verdict under
the guards (``checklist.guarded_grade``). It never raises for the model's sake: any
failure - a format the server rejects, output that stays invalid, a refusal, a
timeout, a dead server - ends in the offline grade flagged ``status="fallback"`` with
the reason in the server's own words, so a session can always finish. The engine,
``grade --model``, ``calibrate --model`` and ``replay`` all grade through here, so a
recorded session replays exactly - fallbacks included.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

from mockinterview.domain.grade import Grade
from mockinterview.domain.pack import Question, RolePack
from mockinterview.grading import grade_answer
from mockinterview.grading.checklist import checklist_validator, grading_request, guarded_grade
from mockinterview.models.model import Model
from mockinterview.models.structured import LadderOutcome

DEFAULT_CONCURRENCY = 4
MAX_SAMPLES = 5
SAMPLE_TEMPERATURE = 0.8  # extra samples must be able to differ, or they measure nothing


def fallback_grade(offline: Grade, reason: str) -> Grade:
    """The offline grader's result standing in for a model grade that failed."""
    return offline.model_copy(update={"status": "fallback", "fallback_reason": reason.splitlines()[0][:400]})


@dataclass
class ModelGradeResult:
    grade: Grade
    outcomes: list[LadderOutcome] = field(default_factory=list)
    call_ids: list[str] = field(default_factory=list)

    @property
    def ladder_step(self) -> str:
        """The step that produced the (first) checklist, or "invalid"."""
        return next((o.step for o in self.outcomes if o.ok), "invalid")


class ModelGrader:
    """Grades answers with ``model``, at most ``concurrency`` at a time, taking
    ``samples`` checklists per answer (their agreement is recorded on the grade)."""

    def __init__(self, model: Model, *, concurrency: int = DEFAULT_CONCURRENCY, samples: int = 1) -> None:
        self.model = model
        self.samples = max(1, min(samples, MAX_SAMPLES))
        self._slots = asyncio.Semaphore(concurrency)
        self.in_flight = 0
        self.peak_in_flight = 0

    async def grade(
        self, question: Question, answer: str, pack: RolePack, *, label: str | None = None
    ) -> ModelGradeResult:
        """``label`` names the grader on the grade (replay keeps the original's)."""
        grader = label or self.model.name
        offline = grade_answer(answer, question, pack)
        validate = checklist_validator(question, pack)
        result = ModelGradeResult(grade=offline)
        async with self._slots:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                for sample in range(self.samples):
                    request = grading_request(
                        question,
                        answer,
                        pack,
                        sample=sample,
                        temperature=SAMPLE_TEMPERATURE if sample else 0.0,
                    )
                    outcome = await self.model.structured(request, validate)
                    result.outcomes.append(outcome)
                    result.call_ids += outcome.call_ids
                    if not outcome.ok and outcome.error is not None:
                        break  # a transport fault: more samples would fail the same way
            finally:
                self.in_flight -= 1
        checklists = [o.value for o in result.outcomes if o.ok]
        if not checklists:
            failed = result.outcomes[-1]
            # The reason in the server's (or the validator's) own words; which model
            # graded is the session's grader_model (and each recorded call's model), so
            # a replay - through another provider - gives the same reason.
            result.grade = fallback_grade(offline, failed.reason or "no valid checklist")
            return result
        grade = guarded_grade(checklists, question, answer, pack, grader=grader, offline=offline)
        if grader == "stub" and self.samples == 1:
            # The stub *is* the offline grader: agreement with itself means nothing.
            grade = grade.model_copy(update={"agreement": None, "outcome": "scored", "outcome_reason": None})
        result.grade = grade
        return result

    async def grade_many(
        self, items: Iterable[tuple[Question, str]], pack: RolePack
    ) -> list[ModelGradeResult]:
        return await asyncio.gather(*(self.grade(q, a, pack) for q, a in items))
