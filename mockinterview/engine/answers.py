"""What the candidate said, as the session keeps it and as a grade judges it.

``without_key`` is applied to every answer before it is kept; ``answer_text_for_grade``
is the text a grade of an answer judges (replay rebuilds grading requests with it).
"""

from __future__ import annotations

from mockinterview.domain.transcript import Transcript
from mockinterview.storage.config import redact_key
from mockinterview.storage.transcripts import REDACTED_KEY


def without_key(text: str) -> str:
    """A candidate's words with the configured API key (pasted by mistake) redacted, whatever
    its length: it is never kept, graded, sent to a model, shown or exported."""
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
