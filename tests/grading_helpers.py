"""Helpers shared by the grading tests."""

from __future__ import annotations

from mockinterview.grading import grade_answer


def found(pack, question_id: str, answer: str) -> set[str]:
    """The mistake ids the offline grader finds, checking every quote is verbatim."""
    g = grade_answer(answer, pack.question(question_id), pack)
    for m in g.mistakes:
        assert m.evidence in answer
    return {m.id for m in g.mistakes}
