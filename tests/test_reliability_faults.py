"""Model faults through the whole engine, against the local fake OpenAI server.

``tests/test_openai_model.py`` checks each fault at the model level (messages, retry counts).
Here each fault hits a live interview session: the answer given before the fault is on disk and
graded, the session reports one clear line and waits for a retry (or a resume in a new process),
and after the retry the interview finishes with nothing lost. Each test prints the message the
user saw; docs/RELIABILITY.md lists them.
"""

from __future__ import annotations

import json

import pytest
from fake_openai_fixtures import *  # noqa: F403 - fixtures
from fake_openai_fixtures import FAKE_MODEL, TEST_KEY, Reply

from mockinterview.engine.session import InterviewConfig, InterviewSession
from mockinterview.storage.config import load_settings, save_settings
from mockinterview.storage.transcripts import load_transcript

A1 = "I would check how the data was collected and compare against a simple rules baseline first."
A2 = "I would validate out of time, pick the metric from the cost of errors and monitor drift."
# A whole lead-in (statements only: a question turn drops the model's own questions).
TEXT = "Let's move on. The next one is about evaluating a model before launch."


@pytest.fixture
def fast_settings(openai_settings):
    """Tight limits so hung and trickling replies give up in about a second. The openai SDK
    is imported first: OpenAIModel imports it lazily inside the first call, whose time budget
    would otherwise lose the ~1 s the import takes."""
    import openai  # noqa: F401

    from mockinterview.models import tokens

    tokens.count_tokens("warm up", FAKE_MODEL)
    settings = load_settings()
    settings.openai.timeout_s = 0.5
    settings.openai.max_retries = 1
    settings.openai.max_total_s = 1.5
    save_settings(settings)
    return load_settings()


def _config(**kw) -> InterviewConfig:
    base = dict(
        rounds=["basic"],
        questions_per_round=2,
        max_follow_ups=0,
        interviewer_model=f"openai:{FAKE_MODEL}",
        grader_model="stub",
        track_time=False,
    )
    return InterviewConfig(**{**base, **kw})


def _answers(path) -> list[str]:
    return [t.text for t in load_transcript(path).turns if t.kind == "answer"]


def _check_fault(session: InterviewSession, label: str) -> str:
    assert session.state == "needs-retry", session.state
    message = session.fault.message
    assert message and "\n" not in message and "Traceback" not in message
    saved = load_transcript(session.path)
    assert saved.turns[-1].kind == "note" and saved.turns[-1].text.startswith("Model error")
    print(f"\n{label}: {message} (retryable={session.fault.retryable})")
    return message


INTERVIEWER_FAULTS = {
    "trickle-past-total-time": (Reply.trickle(TEXT * 4, interval_s=0.25, chunk_chars=4), "no complete reply"),
    "hung-connection": (Reply.hung(), "no reply from"),
    "stream-cut-mid-reply": (Reply.cut(TEXT, after_chars=20), "stream"),
    "server-error-500": (Reply.server_error(500), "500"),
    "rate-limited-429": (Reply.rate_limited("0"), "rate limited"),
    "refusal": (Reply.refused(), "declined"),
    "context-length": (Reply.context_length(), "context window"),
}


@pytest.mark.parametrize("fault", list(INTERVIEWER_FAULTS))
async def test_interviewer_fault_mid_session_keeps_the_answer_and_retry_finishes(
    fake_openai, fast_settings, fault
):
    reply, expected = INTERVIEWER_FAULTS[fault]
    fake_openai.default_reply = Reply.ok(TEXT)
    session = await InterviewSession.create(_config())
    try:
        await session.begin()
        assert session.state == "awaiting-answer", session.fault
        fake_openai.default_reply = reply
        await session.submit_answer(A1)  # saved and graded, then the next question fails
        message = _check_fault(session, fault)
        assert expected.lower() in message.lower()
        on_disk = load_transcript(session.path)
        assert _answers(session.path) == [A1]
        assert on_disk.grade_for(next(t.id for t in on_disk.turns if t.kind == "answer"))
        assert any(c.error for c in on_disk.model_calls)  # the failed call is recorded too

        fake_openai.default_reply = Reply.ok(TEXT)
        await session.retry()
        assert session.state == "awaiting-answer"
        await session.submit_answer(A2)
        assert session.state == "finished"
    finally:
        await session.close()
    final = load_transcript(session.path)
    assert final.meta.status == "completed"
    assert _answers(session.path) == [A1, A2]
    assert all(final.grade_for(t.id) for t in final.turns if t.kind == "answer")


async def test_trickle_stream_within_the_time_limit_arrives_whole(fake_openai, fast_settings):
    fake_openai.default_reply = Reply.trickle(TEXT, interval_s=0.01, chunk_chars=3)
    chunks: list[str] = []

    def listener(event):
        if type(event).__name__ == "InterviewerChunk":
            chunks.append(event.text)

    session = await InterviewSession.create(_config(), listener)
    try:
        await session.begin()
    finally:
        await session.close()
    assert session.state == "awaiting-answer"
    assert load_transcript(session.path).turns[-1].text.startswith(TEXT)  # then the bank question
    assert len(chunks) >= 10


async def test_dns_failure_is_clear_and_the_session_resumes_once_the_host_resolves(
    fake_openai, fast_settings, monkeypatch
):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://nonexistent.invalid/v1")
    session = await InterviewSession.create(_config())
    await session.begin()
    await session.close()
    message = _check_fault(session, "dns-failure")
    assert "nonexistent.invalid" in message

    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    fake_openai.default_reply = Reply.ok(TEXT)
    resumed = await InterviewSession.resume(session.path, track_time=False)
    try:
        await resumed.begin()
        assert resumed.state == "awaiting-answer"
        await resumed.submit_answer(A1)
        await resumed.submit_answer(A2)
    finally:
        await resumed.close()
    assert load_transcript(session.path).meta.status == "completed"
    assert _answers(session.path) == [A1, A2]


async def test_wrong_key_401_is_clear_and_resume_with_the_right_key_loses_nothing(
    fake_openai, fast_settings, monkeypatch
):
    fake_openai.default_reply = Reply.ok(TEXT)
    session = await InterviewSession.create(_config(questions_per_round=3))
    await session.begin()
    await session.submit_answer(A1)
    await session.close()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-key-abcdefghijklmnop")
    wrong = await InterviewSession.resume(session.path, track_time=False)
    await wrong.begin()  # the second question is already on screen: no call yet
    await wrong.submit_answer(A2)  # saved and graded (stub); asking question 3 gets a 401
    await wrong.close()
    message = _check_fault(wrong, "wrong-key-401")
    assert "401" in message and "OPENAI_API_KEY" in message
    assert "sk-wrong-key" not in message
    assert wrong.fault.retryable is False

    assert _answers(session.path) == [A1, A2]

    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    right = await InterviewSession.resume(session.path, track_time=False)
    try:
        await right.begin()
        await right.submit_answer(A1)
    finally:
        await right.close()
    assert load_transcript(session.path).meta.status == "completed"
    assert _answers(session.path) == [A1, A2, A1]


async def test_unknown_model_404_is_clear_and_the_session_is_saved(fake_openai, fast_settings):
    session = await InterviewSession.create(_config(interviewer_model="openai:no-such-model"))
    await session.begin()
    await session.close()
    message = _check_fault(session, "unknown-model-404")
    assert "no-such-model" in message and "not found" in message
    assert session.fault.retryable is False


CHECKLIST = {
    "key_points": {
        "beats-baseline": {"verdict": "covered", "quote": "compare against a simple rules baseline"}
    },
    "mistakes": {},
    "feedback": "Good start.",
}


@pytest.mark.parametrize(
    "reply",
    [Reply.truncated_json(CHECKLIST), Reply.never_closing_body(json.dumps(CHECKLIST)[:40])],
    ids=["json-cut-by-token-limit", "body-never-completes"],
)
async def test_grader_reply_that_never_closes_its_json_falls_back_flagged_not_zero(
    fake_openai, fast_settings, reply
):
    fake_openai.default_reply = reply
    session = await InterviewSession.create(
        _config(interviewer_model="stub", grader_model=f"openai:{FAKE_MODEL}")
    )
    try:
        await session.begin()
        await session.submit_answer(A1)
    finally:
        await session.close()
    t = load_transcript(session.path)
    assert session.state == "awaiting-answer"  # never stalled: the offline grade stands in
    (record,) = t.grades
    print(f"\ngrader-json-never-closes: status={record.grade.status} reason={record.grade.fallback_reason}")
    assert record.grade.status == "fallback" and record.grade.fallback_reason
    assert record.grade.score >= 1.0  # the offline grade stands in: invalid output is never a zero
    assert _answers(session.path) == [A1]
