"""A real weak session (the stub interviewer and the offline grader, through the engine) for
the practice tests: a leaky 0.99 AUC, correlation taken as causation, a skipped question."""

from __future__ import annotations

from mockinterview.engine.session import InterviewConfig, InterviewSession

WEAK = [
    "Our AUC was 0.99 on the first try so the model is ready to ship.",
    "(skip)",
    "Customers who use the app more churn less, so the app causes retention.",
    "I would use deep learning because it is always the most accurate model.",
]
BETTER = (
    "An AUC of 0.99 on the first try is a red flag for leakage. I would check which features are "
    "available at prediction time, look for columns computed after the outcome, split by time, and "
    "re-run without the suspect feature. Then I would compare against a simple baseline."
)


async def weak_session(seed: int = 0):
    session = await InterviewSession.create(
        InterviewConfig(rounds=["basic"], questions_per_round=4, max_follow_ups=0, seed=seed)
    )
    await session.begin()
    for text in WEAK:
        if session.state != "awaiting-answer":
            break
        if text == "(skip)":
            await session.skip()
        else:
            await session.submit_answer(text)
    if session.state != "finished":
        await session.end_session()
    await session.close()
    return session.path, session.transcript
