"""What real local servers do, reproduced by the fake server's modes, at session level.

Measured on llama-cpp-python's server (../shared/llm): it answers ``json_schema`` with
HTTP 500, streams without a usage chunk, accepts any model name, and a prompt past its
context ends the stream before any event. Each is one ``FakeOpenAIServer`` mode here; the
whole interview must fit the server: one rejected format per session (resumes included),
tokens counted locally, a typo in the model name reported, a context overflow learned
from the server and budgeted below, and the bank question on screen every time.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from fake_openai_fixtures import *  # noqa: F403 - fixtures
from fake_openai_fixtures import Reply

from mockinterview.cli.main import main
from mockinterview.engine.session import InterviewConfig, InterviewSession
from mockinterview.models import tokens
from mockinterview.storage.transcripts import load_transcript

SERVED = "gemma3-270m"
TYPO = "gemma3-27m"  # one letter off: a one-model server answers anyway
ANSWER = (
    "I would start from the business decision, compare a model with the current rules as a baseline, "
    "and only build it when the pattern is too complex for rules and we have enough labelled data."
)


@pytest.fixture
def llama_like(fake_openai, openai_settings):
    """The fake server behaving like llama-cpp-python's."""
    fake_openai.models = [SERVED]
    fake_openai.reject_json_schema = True
    fake_openai.stream_usage = False
    fake_openai.accept_any_model = True
    return fake_openai


def config(**kw) -> InterviewConfig:
    base = dict(
        rounds=["basic"],
        questions_per_round=2,
        max_follow_ups=1,
        interviewer_model=f"openai:{TYPO}",
        grader_model=f"openai:{TYPO}",
        track_time=False,
    )
    return InterviewConfig(**{**base, **kw})


def checklist_for_any_question() -> dict:
    from mockinterview.packs.loader import load_pack

    ids = sorted({kp.id for q in load_pack().questions for kp in q.key_points})
    return {"key_points": {i: {"verdict": "missing", "quote": ""} for i in ids}, "feedback": "Fine."}


def formats(server) -> list[str]:
    return [
        (r.body.get("response_format") or {}).get("type", "-")
        for r in server.chat_requests()
        if r.body.get("response_format")
    ]


async def test_a_llama_cpp_like_server_fits_a_whole_session_and_its_resume(llama_like, capsys):
    server = llama_like
    graded = Reply.json_reply(checklist_for_any_question())
    spoken = Reply.ok("Thanks for that.")
    server.responder = lambda body: graded if body.get("response_format") else spoken
    session = await InterviewSession.create(config())
    await session.begin()
    for _ in range(2):
        await session.submit_answer(ANSWER)  # graded, then a follow-up or the next question
    await session.close()

    t = load_transcript(session.path)
    # One json_schema request in the whole session, then llama-cpp-python's json_object + schema.
    assert formats(server).count("json_schema") == 1
    assert formats(server)[1:] and set(formats(server)[1:]) == {"json_object"}
    rejected = [c for c in t.model_calls if c.error_type == "UnsupportedFormat"]
    assert len(rejected) == 1 and "Input should be 'text' or 'json_object'" in rejected[0].error
    assert all(g.grade.status == "ok" for g in t.grades)
    # The server listed another name: said once, in the transcript, for people to see.
    notes = [x.text for x in t.turns if x.kind == "note"]
    assert any(f"'{TYPO}' is not among" in n and SERVED in n for n in notes)
    # No usage chunk in the stream: the interviewer's tokens were counted locally.
    interviewer = [c for c in t.model_calls if c.purpose == "interviewer" and c.response]
    for call in interviewer:
        text = call.response["text"]
        assert call.usage.completion_tokens == tokens.count_tokens(text, TYPO)
        messages = call.request["messages"]
        assert call.usage.prompt_tokens == tokens.count_messages(messages, TYPO)
    # The bank question, verbatim, in every question turn.
    for turn in (x for x in t.turns if x.kind == "question"):
        assert session.pack.question(turn.question_id).text in turn.text

    # Resume in a new session object (a new process would be the same): no json_schema again.
    before = len(server.chat_requests())
    resumed = await InterviewSession.resume(session.path, track_time=False)
    await resumed.begin()
    while resumed.state == "awaiting-answer":
        await resumed.submit_answer(ANSWER)
    await resumed.close()
    after = [(r.body.get("response_format") or {}).get("type") for r in server.chat_requests()[before:]]
    assert "json_schema" not in after and "json_object" in after
    final = load_transcript(session.path)
    assert final.meta.status == "completed"

    # And the recording replays exactly, offline.
    server.stop()
    code = await asyncio.to_thread(
        main, ["replay", str(session.path), "--model", "replay", "--format", "json"]
    )
    result = json.loads(capsys.readouterr().out)[0]
    assert code == 0 and result["identical"] == result["answers"] == len(final.grades)


async def test_a_context_overflow_mid_stream_is_learned_and_budgeted_below(llama_like):
    server = llama_like
    server.context_window = 700  # words (the fake counts words; our budget counts tokens: more)
    server.default_reply = Reply.ok("Thanks. Let us go on.")
    session = await InterviewSession.create(config(grader_model="stub", questions_per_round=3))
    await session.begin()
    long_answer = " ".join([ANSWER] * 12)  # ~400 words: two of them overflow the window
    for _ in range(3):
        if session.state != "awaiting-answer":
            break
        await session.submit_answer(long_answer)
    await session.close()

    assert session.state in ("awaiting-answer", "finished"), session.fault
    assert session._interviewer.context_window == 700
    t = load_transcript(session.path)
    overflowed = [c for c in t.model_calls if c.error_type == "ContextTooLong"]
    assert overflowed and "maximum context length is 700" in overflowed[0].error
    # The stream ended before any event; the non-streamed retry showed the server's reason.
    assert overflowed[0].attempts == 2
    # Every request after the overflow fits the window it named.
    last = server.chat_requests()[-1].body
    words = sum(len(m["content"].split()) for m in last["messages"])
    assert words + last["max_tokens"] <= 700


async def test_a_context_size_the_server_lists_is_budgeted_below_from_the_start(fake_openai, openai_settings):
    fake_openai.model_fields = {"max_model_len": 600}  # vLLM's /v1/models says it
    fake_openai.context_window = 600
    fake_openai.default_reply = Reply.ok("Go on.")
    session = await InterviewSession.create(
        config(
            interviewer_model="openai:fake-model",
            grader_model="stub",
            questions_per_round=3,
            max_follow_ups=0,
        )
    )
    await session.begin()
    for _ in range(3):
        if session.state != "awaiting-answer":
            break
        await session.submit_answer(" ".join([ANSWER] * 12))
    await session.close()
    t = load_transcript(session.path)
    assert session._interviewer.context_window == 600
    assert not [c for c in t.model_calls if c.error]  # never overflowed
    assert t.meta.status == "completed"
