"""The mentor's review layer: comments on turns and grade overrides.

Reviews are appended to ``transcript.review``; the candidate's turns and the
grader's records are never edited, so a report can always show the original
grade beside the mentor's override.
"""

from __future__ import annotations

from pathlib import Path

from mockinterview.domain.transcript import GradeOverride, ReviewComment, Transcript, utcnow
from mockinterview.storage.locks import SessionLock
from mockinterview.storage.transcripts import default_path, save_transcript


class ReviewError(ValueError):
    """A review action that cannot apply (unknown turn, empty text, score out of range)."""


def _turn_exists(transcript: Transcript, turn_id: int) -> bool:
    return any(t.id == turn_id for t in transcript.turns)


def _next_id(prefix: str, taken: set[str]) -> str:
    # Short, readable and stable ids (c1, c2, o1 ...) so reports and snapshots don't churn.
    n = len(taken) + 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def add_comment(transcript: Transcript, turn_id: int, text: str, author: str = "mentor") -> ReviewComment:
    """Attach a mentor comment to any turn and return it."""
    if not _turn_exists(transcript, turn_id):
        raise ReviewError(f"turn {turn_id} does not exist in this transcript")
    text = text.strip()
    if not text:
        raise ReviewError("a comment needs some text")
    comment = ReviewComment(
        id=_next_id("c", {c.id for c in transcript.review.comments}),
        turn_id=turn_id,
        author=author.strip() or "mentor",
        text=text,
        created_at=utcnow(),
    )
    transcript.review.comments.append(comment)
    return comment


def override_grade(
    transcript: Transcript, turn_id: int, score: float, reason: str, author: str = "mentor"
) -> GradeOverride:
    """Record a mentor's score for a graded answer; the grader's record stays as it was."""
    if transcript.grade_for(turn_id) is None:
        raise ReviewError(f"turn {turn_id} has no grade to override")
    try:
        value = round(float(score), 1)
    except (TypeError, ValueError):
        raise ReviewError(f"score {score!r} is not a number") from None
    if not 1.0 <= value <= 5.0:
        raise ReviewError(f"score {value} is outside 1-5")
    reason = reason.strip()
    if not reason:
        raise ReviewError("an override needs a reason")
    override = GradeOverride(
        id=_next_id("o", {o.id for o in transcript.review.overrides}),
        turn_id=turn_id,
        score=value,
        reason=reason,
        author=author.strip() or "mentor",
        created_at=utcnow(),
    )
    transcript.review.overrides.append(override)
    return override


def save_review(transcript: Transcript, path: Path | None = None) -> Path:
    """Persist the transcript (atomically, via storage) after a review change - under the
    session's lock, so a review never overwrites an interview running in another process
    (SessionLocked, one line naming it, and nothing written)."""
    target = path if path is not None else default_path(transcript)
    with SessionLock(target, transcript.meta.id, "review"):
        return save_transcript(transcript, target)
