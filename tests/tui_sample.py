"""A fixed sample transcript for the report, review and TUI tests (no engine needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mockinterview.domain.grade import Grade, KeyPointCoverage, MistakeFinding
from mockinterview.domain.transcript import GradeRecord, ModelCall, SessionMeta, TokenUsage, Transcript, Turn

T0 = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)

HOSTILE = "I would use <script>alert('x')</script> and **AUC 0.99** | done"


def _grade(
    qid: str, score: float, covered: list[tuple[str, str, str | None]], mistakes=(), feedback=""
) -> Grade:
    return Grade(
        question_id=qid,
        score=score,
        key_points=[KeyPointCoverage(id=i, text=t, covered=e is not None, evidence=e) for i, t, e in covered],
        mistakes=[MistakeFinding(id=m, evidence=ev, note=n) for m, ev, n in mistakes],
        feedback=feedback,
        grader="stub",
        rubric_id="data-scientist",
        rubric_version="1.0.0",
    )


def sample_transcript(
    session_id: str = "20260115-093000-demo", *, offset_days: int = 0, scores=(3.4, 2.1, 4.2)
):
    start = T0 + timedelta(days=offset_days)
    at = lambda minutes: start + timedelta(minutes=minutes)  # noqa: E731
    turns = [
        Turn(
            id=1,
            speaker="interviewer",
            kind="round-intro",
            round="basic",
            started_at=at(0),
            text="Welcome to the **fundamentals** round. Three questions.",
        ),
        Turn(
            id=2,
            speaker="interviewer",
            kind="question",
            round="basic",
            question_id="overfitting",
            started_at=at(1),
            text="What is overfitting, and how do you detect and prevent it?",
        ),
        Turn(
            id=3,
            speaker="candidate",
            kind="answer",
            round="basic",
            question_id="overfitting",
            reply_to=2,
            started_at=at(2),
            text="Overfitting is when the model memorises noise in the training data.\n"
            "I compare training and validation error and use cross-validation and regularisation.",
        ),
        Turn(
            id=4,
            speaker="interviewer",
            kind="question",
            round="basic",
            question_id="data-leakage",
            started_at=at(4),
            text="Your model reaches an AUC of 0.99 on the first try. What do you do?",
        ),
        Turn(
            id=5,
            speaker="candidate",
            kind="answer",
            round="basic",
            question_id="data-leakage",
            reply_to=4,
            started_at=at(5),
            text=HOSTILE,
        ),
        Turn(
            id=6,
            speaker="interviewer",
            kind="question",
            round="behavioral",
            question_id="conflict",
            started_at=at(8),
            text="Tell me about a conflict with a stakeholder.",
        ),
        Turn(
            id=7,
            speaker="candidate",
            kind="answer",
            round="behavioral",
            question_id="conflict",
            reply_to=6,
            started_at=at(9),
            text="The product lead wanted a launch date; I owned the analysis, proposed a "
            "phased rollout, and churn fell 12% in the pilot.",
        ),
        Turn(
            id=8,
            speaker="interviewer",
            kind="closing",
            round="behavioral",
            started_at=at(12),
            text="Thanks, that is the end of the interview.",
        ),
    ]
    grades = [
        GradeRecord(
            turn_id=3,
            question_id="overfitting",
            round="basic",
            created_at=at(3),
            grade=_grade(
                "overfitting",
                scores[0],
                [
                    ("definition", "Defines overfitting as fitting noise", "memorises noise"),
                    ("detect", "Detects it with a validation gap", "compare training and validation error"),
                    ("early-stopping", "Mentions early stopping or more data", None),
                ],
                feedback="Clear definition; add how more data or early stopping help.",
            ),
        ),
        GradeRecord(
            turn_id=5,
            question_id="data-leakage",
            round="basic",
            created_at=at(6),
            grade=_grade(
                "data-leakage",
                scores[1],
                [
                    ("suspect-leakage", "Treats 0.99 as a red flag for leakage", None),
                    ("check-features", "Checks features built after the outcome", None),
                ],
                mistakes=[("leakage-unchecked", "AUC 0.99", "Takes the score at face value.")],
                feedback="A near-perfect score should trigger a leakage hunt.",
            ),
        ),
        GradeRecord(
            turn_id=7,
            question_id="conflict",
            round="behavioral",
            created_at=at(10),
            grade=_grade(
                "conflict",
                scores[2],
                [
                    ("situation", "Sets the situation", "The product lead wanted a launch date"),
                    ("result", "Gives a quantified result", "churn fell 12%"),
                ],
            ),
        ),
    ]
    meta = SessionMeta(
        id=session_id,
        created_at=start,
        updated_at=at(12),
        pack_id="data-scientist",
        pack_version="1.0.0",
        pack_hash="abc",
        interviewer_model="stub",
        grader_model="stub",
        rounds=["basic", "behavioral"],
        questions_per_round=2,
        status="completed",
        ended_at=at(12),
    )
    calls = [
        ModelCall(
            id="m1",
            request_hash="h1",
            purpose="interviewer",
            model="stub",
            request={"purpose": "x"},
            usage=TokenUsage(prompt_tokens=120, completion_tokens=30),
            latency_ms=2.0,
            started_at=at(1),
        )
    ]
    return Transcript(
        meta=meta,
        turns=turns,
        grades=grades,
        model_calls=calls,
        tokens=TokenUsage(prompt_tokens=120, completion_tokens=30),
        estimated_cost_usd=0.0,
    )
