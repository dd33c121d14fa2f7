"""The engine against a real local OpenAI-compatible server through the real SDK: the
fault matrix at session level. Every fault ends in a clear message, a saved
transcript and no lost turn; an openai-graded session replays offline exactly."""

from __future__ import annotations

import asyncio
import json

import pytest
from fake_openai_fixtures import *  # noqa: F403 - fixtures
from fake_openai_fixtures import FAKE_MODEL, TEST_KEY, Reply, files_containing

from mockinterview.cli.main import main
from mockinterview.engine import events as ev
from mockinterview.engine.session import InterviewConfig, InterviewSession
from mockinterview.storage.config import load_settings, save_settings
from mockinterview.storage.transcripts import load_transcript

SPEC = f"openai:{FAKE_MODEL}"
ANSWER = "I would compare against the current rules as a baseline and check we have enough historical data."


class Recorder(list):
    def __call__(self, event) -> None:
        self.append(event)

    def of(self, kind):
        return [e for e in self if isinstance(e, kind)]


def checklist(question, answer: str = ANSWER) -> dict:
    """A valid grader reply in the bounded schema's shape: the baseline point covered
    with a real quote, the rest missing."""
    return {
        "key_points": {
            kp.id: {"verdict": "covered", "quote": "compare against the current rules as a baseline"}
            if i == 0
            else {"verdict": "missing", "quote": ""}
            for i, kp in enumerate(question.key_points)
        },
        "mistakes": {},
        "feedback": "Solid start; say more about costs.",
    }


@pytest.fixture
def frozen_pack(tmp_path):
    """A private copy of the bundled pack, so edits to rubrics/ while tests run cannot
    change the requests between a session and its replay."""
    import shutil

    from mockinterview.resources import rubrics_dir

    return shutil.copytree(rubrics_dir() / "data-scientist", tmp_path / "pack")


async def start(rec: Recorder, *, grader: str = SPEC, pack=None) -> InterviewSession:
    config = InterviewConfig(
        pack=str(pack) if pack else "data-scientist",
        rounds=["basic"],
        questions_per_round=2,
        max_follow_ups=0,
        interviewer_model=SPEC,
        grader_model=grader,
        track_time=False,
    )
    return await InterviewSession.create(config, rec)


def answers_on_disk(session) -> list[str]:
    return [t.text for t in load_transcript(session.path).turns if t.kind == "answer"]


async def test_openai_session_streams_records_calls_and_replays_exactly(
    openai_settings, fake_openai, capsys, frozen_pack
):
    rec = Recorder()
    fake_openai.enqueue(
        Reply.ok("Welcome! Let's start with fundamentals."), Reply.ok("First: when is ML justified?")
    )
    session = await start(rec, pack=frozen_pack)
    await session.begin()
    q1 = session.current_question
    fake_openai.enqueue(Reply.json_reply(checklist(q1)), Reply.ok("Next question, please."))
    await session.submit_answer(ANSWER)
    q2 = session.current_question
    fake_openai.enqueue(Reply.json_reply(checklist(q2)), Reply.ok("Thanks, that's all."))
    await session.submit_answer(ANSWER)
    await session.close()

    t = load_transcript(session.path)
    assert t.meta.status == "completed" and t.meta.interviewer_model == SPEC
    assert "".join(e.text for e in rec.of(ev.InterviewerChunk)).startswith("Welcome!")
    assert [g.grade.grader for g in t.grades] == [SPEC, SPEC]
    assert all(g.grade.status == "ok" and g.grade.agreement is not None for g in t.grades)
    assert t.tokens.total > 0 and rec.of(ev.TokensUpdated)
    grade_calls = [c for c in t.model_calls if c.purpose == "grade"]
    assert grade_calls and all(c.ladder_step == "json_schema" and c.latency_ms > 0 for c in grade_calls)
    assert files_containing(TEST_KEY, session.path.parent) == []

    # Offline, no server needed: the recorded calls reproduce every grade byte for byte.
    fake_openai.stop()
    argv = ["replay", str(session.path), "--model", "replay", "--pack", str(frozen_pack), "--format", "json"]
    code = await asyncio.to_thread(main, argv)  # the CLI runs its own event loop
    result = json.loads(capsys.readouterr().out)[0]
    assert code == 0, result
    assert result["identical"] == result["answers"] == 2 and result["unused_calls"] == []


async def test_server_error_during_grading_falls_back_and_the_interview_goes_on(openai_settings, fake_openai):
    rec = Recorder()
    fake_openai.enqueue(Reply.ok("Hi."), Reply.ok("Question one?"))
    session = await start(rec)
    await session.begin()
    fake_openai.enqueue(*[Reply.server_error(500)] * 4, Reply.ok("Moving on."))  # first try + 3 retries
    await session.submit_answer(ANSWER)
    assert not rec.of(ev.ModelFault) and session.state == "awaiting-answer"
    t = load_transcript(session.path)
    (record,) = t.grades
    assert record.grade.status == "fallback"
    assert record.grade.fallback_reason == f"{fake_openai.base_url} kept failing (HTTP 500); retried 3 times"
    assert answers_on_disk(session) == [ANSWER]
    grading = [c for c in t.model_calls if c.purpose == "grade"]
    assert [c.attempts for c in grading] == [4] and grading[0].error_type == "ModelUnavailable"
    assert t.turns[-1].text.startswith("Moving on. ")


async def test_rate_limit_with_retry_after_is_waited_out(openai_settings, fake_openai):
    rec = Recorder()
    fake_openai.enqueue(Reply.rate_limited(retry_after="0"), Reply.ok("Hi."), Reply.ok("Question one?"))
    session = await start(rec)
    await session.begin()
    assert session.state == "awaiting-answer" and not rec.of(ev.ModelFault)
    assert len(fake_openai.chat_requests()) == 3


@pytest.mark.parametrize("mode", ["reset", "eof"])
async def test_stream_cut_mid_question_is_a_fault_and_retry_asks_again(openai_settings, fake_openai, mode):
    rec = Recorder()
    fake_openai.enqueue(Reply.ok("Hi."), Reply.cut("Question one is about machine learning.", 12, mode=mode))
    session = await start(rec)
    await session.begin()
    assert session.state == "needs-retry" and rec.of(ev.ModelFault)
    assert [t.kind for t in load_transcript(session.path).turns] == ["round-intro", "note"]
    fake_openai.enqueue(Reply.ok("Question one, in full."))
    await session.retry()
    assert session.state == "awaiting-answer"
    asked = session.transcript.turns[-1]
    assert asked.text == f"Question one, in full. {session.pack.question(asked.question_id).text}"


async def test_timeout_is_a_retryable_fault(openai_settings, fake_openai):
    settings = load_settings()
    settings.openai.timeout_s = 0.3
    settings.openai.max_retries = 0
    save_settings(settings)
    rec = Recorder()
    fake_openai.enqueue(Reply.slow(1.5, "Too late."))
    session = await start(rec)
    await session.begin()
    fault = rec.of(ev.ModelFault)[-1]
    assert fault.retryable and session.state == "needs-retry"
    assert load_transcript(session.path).model_calls[-1].error


@pytest.mark.parametrize(
    ("bad", "attempts"),
    [
        (Reply.invalid_json(), 2),  # the ladder re-asks once
        (Reply.json_reply({"key_points": "all of them", "score": 5}), 2),  # schema-violating
        (Reply.refused("I can't grade this."), 1),  # a refusal is not re-asked
    ],
    ids=["invalid-json", "schema-violation", "refusal"],
)
async def test_grader_output_that_stays_invalid_falls_back_offline_flagged(
    openai_settings, fake_openai, bad, attempts
):
    rec = Recorder()
    fake_openai.enqueue(Reply.ok("Hi."), Reply.ok("Question one?"))
    session = await start(rec)
    await session.begin()
    fake_openai.enqueue(*[bad] * attempts, Reply.ok("Moving on."))
    await session.submit_answer(ANSWER)
    assert not rec.of(ev.ModelFault)
    record = session.transcript.grades[-1]
    assert record.grade.status == "fallback" and record.grade.fallback_reason
    assert record.grade.score >= 1.0 and record.grade.grader == "stub"
    steps = [c.ladder_step for c in session.transcript.model_calls if c.id in record.model_call_ids]
    assert steps == ["json_schema", "re-ask"][:attempts]
    assert session.state == "awaiting-answer" and session.transcript.turns[-1].text.startswith("Moving on. ")
    assert fake_openai.pending == 0


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        (Reply.refused("I won't do that."), False),
        (Reply.api_error(400, "Prompt exceeds the context window.", "context_length_exceeded"), False),
    ],
    ids=["refusal", "context-length"],
)
async def test_interviewer_refusal_or_context_overflow_is_a_clear_fault(
    openai_settings, fake_openai, reply, retryable
):
    rec = Recorder()
    fake_openai.enqueue(reply)
    session = await start(rec)
    await session.begin()
    fault = rec.of(ev.ModelFault)[-1]
    assert fault.retryable is retryable and fault.message and "\n" not in fault.message
    assert load_transcript(session.path).turns[-1].kind == "note"


async def test_wrong_key_is_a_fault_that_never_reaches_disk(
    openai_settings, fake_openai, monkeypatch, isolated_dirs
):
    wrong = "sk-wrong-key-123456789012345"
    monkeypatch.setenv("OPENAI_API_KEY", wrong)
    rec = Recorder()
    session = await start(rec)
    await session.begin()
    fault = rec.of(ev.ModelFault)[-1]
    assert not fault.retryable and wrong not in fault.message
    assert files_containing(wrong, isolated_dirs["data"], isolated_dirs["config"]) == []


async def test_replies_cut_at_the_token_limit_are_marked_and_never_hide_the_bank_question(
    openai_settings, fake_openai
):
    """A small model runs to max_tokens: the cut reply is trimmed and marked, never stored
    as if meant; in a question turn only the lead-in's whole statements come before the
    bank question (the model's own question and the half sentence go), so nothing shown
    is cut. The call keeps what the model wrote."""
    rec = Recorder()
    fake_openai.enqueue(
        Reply.ok("Welcome to the round. We start with", finish_reason="length"),
        Reply.ok("Thanks. What is your name? Now think about the", finish_reason="length"),
    )
    session = await start(rec, grader="stub")
    await session.begin()
    question = session.current_question
    await session.close()

    t = load_transcript(session.path)
    intro, asked = (turn for turn in t.turns if turn.speaker == "interviewer")
    assert intro.text == "Welcome to the round. […]" and intro.cut_off
    assert asked.text == f"Thanks. {question.text}" and not asked.cut_off
    (call,) = [c for c in t.model_calls if c.id in asked.model_call_ids]
    assert call.response["finish_reason"] == "length" and "What is your name?" in call.response["text"]


async def test_a_reply_is_its_first_paragraph_and_a_cut_after_it_is_not_marked(openai_settings, fake_openai):
    """A blank line is no stop sequence (a model that opens with one would say nothing):
    the first paragraph is kept, and is whole even when the reply ran on to the limit."""
    rec = Recorder()
    fake_openai.enqueue(
        Reply.ok("\n\nWelcome to the round.\n\nNow the candidate will say", finish_reason="length"),
        Reply.ok("Here we go."),
    )
    session = await start(rec, grader="stub")
    await session.begin()
    await session.close()
    intro = load_transcript(session.path).turns[0]
    assert intro.text == "Welcome to the round." and not intro.cut_off
    assert "\n\n" not in fake_openai.chat_requests()[0].body["stop"]
