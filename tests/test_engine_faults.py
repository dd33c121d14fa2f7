"""The fault matrix end to end: an interview with ``openai:fake-model`` against the
local fake server. Every fault ends in a clear ModelFault, a saved transcript that
lost no turn, and ``retry()`` carries on; grading faults fall back to the offline
grader (flagged) instead of stalling the interview."""

from __future__ import annotations

import pytest
from fake_openai_fixtures import *  # noqa: F403 - fixtures
from fake_openai_fixtures import FAKE_MODEL, TEST_KEY, Reply, files_containing

from mockinterview.engine.events import InterviewerChunk, ModelFault
from mockinterview.engine.session import InterviewConfig, InterviewSession
from mockinterview.storage.config import save_settings
from mockinterview.storage.transcripts import load_transcript

SPOKEN = "Thanks. Next question: how would you detect data leakage in a feature pipeline?"
# What of SPOKEN a question turn shows before the bank question: the model's own question goes.
LEAD_IN = "Thanks."
ANSWER = (
    "I would first look at the data and check for missing values and outliers, then "
    "fit a simple baseline and compare it against a stronger model with cross-validation."
)


def _nothing_covered() -> dict:
    """A valid checklist for any bank question: every key point of the pack missing."""
    from mockinterview.packs.loader import load_pack

    ids = {kp.id for q in load_pack().questions for kp in q.key_points}
    return {"key_points": {i: {"verdict": "missing", "quote": ""} for i in sorted(ids)}, "feedback": "Fine."}


EMPTY_CHECKLIST = _nothing_covered()


@pytest.fixture
def engine_settings(openai_settings):
    """Short timeouts so faults resolve fast, with room for a loaded CI machine."""
    cfg = openai_settings.openai
    cfg.timeout_s = 0.5
    cfg.max_total_s = 6.0
    cfg.max_retries = 2
    save_settings(openai_settings)
    return openai_settings


async def start(events: list, *, interviewer: str = f"openai:{FAKE_MODEL}", grader: str = "stub"):
    config = InterviewConfig(
        rounds=["basic"],
        questions_per_round=2,
        interviewer_model=interviewer,
        grader_model=grader,
        max_follow_ups=0,
        track_time=False,
    )
    session = await InterviewSession.create(config, events.append)
    await session.begin()  # round intro + first question
    assert session.state == "awaiting-answer"
    return session


def kinds(transcript) -> list[str]:
    return [t.kind for t in transcript.turns]


# fault -> scripted replies for the failing step -> what the user is told
INTERVIEWER_FAULTS = [
    ("429", [Reply.rate_limited(retry_after="0.05")] * 3, "rate limited by {base}; retried 2 times"),
    ("500", [Reply.server_error(500)] * 3, "{base} kept failing (HTTP 500); retried 2 times"),
    ("timeout", [Reply.slow(1.0)] * 3, "no reply from {base} within 0.5 s; retried 2 times"),
    ("hung", [Reply.hung()] * 3, "no reply from {base} within 0.5 s; retried 2 times"),
    ("stream-cut", [Reply.cut(SPOKEN, after_chars=15)], "the reply stream was cut after 15 characters"),
    ("refusal", [Reply.refused("I can't continue.")], "the model declined: I can't continue."),
    (
        # A window the server does not name cannot be budgeted for (one it names is: see
        # test_local_server_modes.py), so this ends in a fault.
        "context-length",
        [Reply.api_error(400, "Prompt is too long for the context window.", "context_length_exceeded")],
        "the conversation exceeds the model's context window",
    ),
    ("wrong-key", [Reply.unauthorized()], "the API key was rejected (401); check OPENAI_API_KEY"),
    ("unknown-model", [Reply.model_not_found(FAKE_MODEL)], f"model '{FAKE_MODEL}' not found at {{base}}"),
]


@pytest.mark.parametrize(
    ("name", "replies", "expected"), INTERVIEWER_FAULTS, ids=[f[0] for f in INTERVIEWER_FAULTS]
)
async def test_interviewer_fault_is_clear_saved_and_retryable(
    engine_settings, fake_openai, isolated_dirs, name, replies, expected
):
    events: list = []
    session = await start(events)
    fake_openai.default_reply = Reply.ok(SPOKEN)
    fake_openai.enqueue(*replies)

    await session.submit_answer(ANSWER)  # graded offline, then the next question fails

    expected = expected.format(base=fake_openai.base_url)
    faults = [e for e in events if isinstance(e, ModelFault)]
    assert len(faults) == 1
    assert faults[0].message.startswith("question failed: ")
    assert expected in faults[0].message
    assert "\n" not in faults[0].message
    assert session.state == "needs-retry"

    saved = load_transcript(session.path)
    answers = [t for t in saved.turns if t.kind == "answer"]
    assert [t.text for t in answers] == [ANSWER]  # the answer is on disk ...
    assert saved.grade_for(answers[0].id) is not None  # ... and so is its grade
    assert saved.turns[-1].kind == "note" and expected in saved.turns[-1].text
    assert expected in saved.model_calls[-1].error

    await session.retry()
    assert session.state == "awaiting-answer"
    saved = load_transcript(session.path)
    assert kinds(saved)[-2:] == ["note", "question"]
    bank = session.pack.question(saved.turns[-1].question_id).text
    assert saved.turns[-1].text == f"{LEAD_IN} {bank}"  # the model's lead-in, then the bank question
    assert [t.text for t in saved.turns if t.kind == "answer"] == [ANSWER]
    if name == "stream-cut":
        streamed = "".join(e.text for e in events if isinstance(e, InterviewerChunk))
        assert streamed.endswith(SPOKEN[:15] + SPOKEN)  # partial reply, then the whole retried one

    await session.close()
    assert files_containing(TEST_KEY, isolated_dirs["data"], isolated_dirs["config"]) == []


async def test_interviewer_chunks_stream_to_the_listener(engine_settings, fake_openai):
    fake_openai.default_reply = Reply.trickle(SPOKEN, interval_s=0.005, chunk_chars=6)
    events: list = []
    session = await start(events)
    chunks = [e.text for e in events if isinstance(e, InterviewerChunk)]
    assert len(chunks) > 10
    assert "".join(chunks).endswith(SPOKEN)
    asked = session.transcript.turns[-1]
    assert asked.text == f"{LEAD_IN} {session.pack.question(asked.question_id).text}"
    await session.close()


GRADING_OUTPUT_FAULTS = [
    (
        "invalid-json",
        [Reply.invalid_json()] * 2,
        "stayed invalid after a re-ask: grader reply is not valid JSON",
    ),
    (
        "schema-violation",
        [Reply.json_reply({"key_points": "all of them"})] * 2,
        "grader reply: key_points is not an object",
    ),
    (
        "never-closing-json",
        [Reply.truncated_json(EMPTY_CHECKLIST | {"feedback": "x" * 200})] * 2,
        "cut off at the token limit",
    ),
    ("refusal", [Reply.refused()], "the model declined"),
    ("context-length", [Reply.context_length()], "exceeds the model's context window"),
    ("server-down", [Reply.server_error(503)] * 3, "kept failing (HTTP 503); retried 2 times"),
]


@pytest.mark.parametrize(
    ("name", "replies", "reason"), GRADING_OUTPUT_FAULTS, ids=[f[0] for f in GRADING_OUTPUT_FAULTS]
)
async def test_grading_fault_falls_back_offline_with_its_reason_and_the_interview_goes_on(
    engine_settings, fake_openai, name, replies, reason
):
    events: list = []
    session = await start(events, interviewer="stub", grader=f"openai:{FAKE_MODEL}")
    fake_openai.enqueue(*replies)
    await session.submit_answer(ANSWER)

    assert not [e for e in events if isinstance(e, ModelFault)]
    assert session.state == "awaiting-answer"  # the next question was asked
    saved = load_transcript(session.path)
    (record,) = saved.grades
    assert record.grade.status == "fallback"
    assert reason in record.grade.fallback_reason
    assert record.grade.score >= 1.0
    assert record.grade.grader == "stub"  # the offline grader's result stands in
    grading_calls = [c for c in saved.model_calls if c.purpose == "grade"]
    assert [c.id for c in grading_calls] == record.model_call_ids  # every attempt recorded
    await session.close()


async def test_grading_repair_and_re_ask_steps_are_recorded(engine_settings, fake_openai):
    import json

    events: list = []
    session = await start(events, interviewer="stub", grader=f"openai:{FAKE_MODEL}")
    fake_openai.enqueue(
        Reply.ok("Here it is: " + json.dumps(EMPTY_CHECKLIST).replace('"Fine."}', '"Fine.",}'))
    )
    await session.submit_answer(ANSWER)
    fake_openai.enqueue(Reply.invalid_json(), Reply.json_reply(EMPTY_CHECKLIST))
    await session.submit_answer(ANSWER + " Also, I would monitor the model.")
    saved = load_transcript(session.path)
    steps = [c.ladder_step for c in saved.model_calls if c.purpose == "grade"]
    assert steps == ["json_schema", "json_schema", "re-ask"]  # repaired locally: no call of its own
    assert all(g.grade.status == "ok" for g in saved.grades)
    await session.close()


async def test_tokens_and_cost_are_totalled_with_prices_from_the_config(engine_settings, fake_openai):
    from mockinterview.storage.config import PriceSettings

    engine_settings.prices[FAKE_MODEL] = PriceSettings(input_per_mtok=1.0, output_per_mtok=2.0)
    save_settings(engine_settings)
    fake_openai.default_reply = Reply.ok(SPOKEN)
    events: list = []
    session = await start(events)
    saved = load_transcript(session.path)
    calls = [c for c in saved.model_calls if c.response is not None]
    assert len(calls) == 2  # round intro and first question
    prompt = sum(c.usage.prompt_tokens for c in calls)
    completion = sum(c.usage.completion_tokens for c in calls)
    assert completion == 2 * len(SPOKEN.split())  # as the server reported it
    assert (saved.tokens.prompt_tokens, saved.tokens.completion_tokens) == (prompt, completion)
    assert saved.estimated_cost_usd == pytest.approx((prompt * 1.0 + completion * 2.0) / 1e6)
    await session.close()
