"""The model grader over real HTTP (the fake server) : the structured-output ladder as
real servers need it, and the offline fallback that keeps every session finishable."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from fake_openai_fixtures import *  # noqa: F403 - fixtures
from fake_openai_fixtures import FAKE_MODEL, Reply, SleepRecorder

from mockinterview.domain.detectors import STORY_CHECKS
from mockinterview.grading import grade_answer
from mockinterview.grading.checklist import (
    checklist_schema,
    grade_max_tokens,
    grading_instructions,
    is_behavioral,
    mistakes_for,
)
from mockinterview.grading.model_grader import ModelGrader
from mockinterview.models import CallLog, get_model
from mockinterview.models.model import Model
from mockinterview.models.replay import ReplayProvider
from mockinterview.models.structured import first_json_object, repair_json
from mockinterview.packs.loader import load_pack
from mockinterview.storage.config import load_settings, save_settings

ANSWER = (
    "First I validate each new batch of data: schema, ranges and volumes before training. "
    "Then I retrain with experiment tracking and keep versions in a model registry. "
    "The challenger is compared with the champion on the same recent holdout."
)
QUOTES = {
    "data-validation": "I validate each new batch of data: schema, ranges and volumes",
    "tracked-retraining": "retrain with experiment tracking and keep versions in a model registry",
    "champion-challenger": "The challenger is compared with the champion on the same recent holdout",
}


@pytest.fixture(scope="module")
def pack():
    return load_pack("data-scientist")


@pytest.fixture(scope="module")
def question(pack):
    return pack.question("automated-retraining-pipeline")


def checklist(question, pack, **mistakes) -> dict:
    """A checklist in the bounded schema's shape: fixed ids, enum verdicts, short quotes."""
    return {
        "key_points": {
            kp.id: {"verdict": "covered", "quote": QUOTES[kp.id]}
            if kp.id in QUOTES
            else {"verdict": "missing", "quote": ""}
            for kp in question.key_points
        },
        "mistakes": {
            m.id: {"verdict": "present", "quote": mistakes[m.id]}
            if m.id in mistakes
            else {"verdict": "absent", "quote": ""}
            for m in mistakes_for(question, pack)
        },
        "feedback": "Solid pipeline; add monitoring and rollback.",
    }


@pytest.fixture
async def model(openai_settings):
    m = get_model(f"openai:{FAKE_MODEL}", settings=openai_settings, sleep=SleepRecorder())
    yield m
    await m.aclose()


@pytest.fixture
def grader(model):
    return ModelGrader(model)


def formats(server) -> list:
    return [(r.body.get("response_format") or {}).get("type", "none") for r in server.chat_requests()]


async def test_json_schema_with_a_bounded_schema_and_the_answer_apart(grader, fake_openai, question, pack):
    fake_openai.enqueue(Reply.json_reply(checklist(question, pack)))
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "json_schema"
    grade = result.grade
    assert grade.status == "ok" and grade.grader == f"openai:{FAKE_MODEL}"
    assert [k.id for k in grade.covered] == list(QUOTES)
    (sent,) = fake_openai.chat_requests()
    schema = sent.body["response_format"]["json_schema"]["schema"]
    assert schema == checklist_schema(question, pack)
    kp_schema = schema["properties"]["key_points"]
    assert kp_schema["required"] == [kp.id for kp in question.key_points]  # fixed ids, no free-form list
    assert kp_schema["additionalProperties"] is False
    item = kp_schema["properties"]["data-validation"]["properties"]
    assert item["verdict"]["enum"] == ["covered", "missing", "wrong"] and item["quote"]["maxLength"] <= 200
    assert sent.body["max_tokens"] <= 600  # a tight cap: a looping model stops soon
    # Instructions in the system message; the answer alone, delimited, as the user turn.
    roles = [m["role"] for m in sent.body["messages"]]
    assert roles == ["system", "user"]
    assert ANSWER in sent.body["messages"][1]["content"] and ANSWER not in sent.body["messages"][0]["content"]
    assert "data-validation" in sent.body["messages"][0]["content"]


async def test_a_500_naming_response_format_costs_one_request_per_session(model, fake_openai, question, pack):
    """llama-cpp-python answers json_schema with HTTP 500: step down at once, remember it."""
    rejected = Reply.api_error(
        500,
        "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
        "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}",
    )
    fake_openai.enqueue(rejected)
    fake_openai.default_reply = Reply.json_reply(checklist(question, pack))
    grader = ModelGrader(model)
    first = await grader.grade(question, ANSWER, pack)
    second = await grader.grade(question, ANSWER, pack)
    assert first.ladder_step == second.ladder_step == "json_object_schema"
    assert formats(fake_openai) == ["json_schema", "json_object", "json_object"]
    assert fake_openai.chat_requests()[1].body["response_format"]["schema"] == checklist_schema(
        question, pack
    )
    # The server's complaint is kept, in its own words.
    assert "Input should be 'text' or 'json_object'" in model.rejected_modes["json_schema"]
    calls = model.log.calls
    assert calls[0].error_type == "UnsupportedFormat" and calls[0].attempts == 1  # no retries


async def test_a_400_about_another_parameter_falls_back_without_forgetting_the_format(
    model, fake_openai, question, pack
):
    """A 400 that names max_tokens, not the format, is not a rejection of json_schema: the
    grade falls back with the server's words, and the next grade asks json_schema again."""
    fake_openai.enqueue(
        Reply.api_error(
            400, "max_tokens is too large: 461. This model supports at most 256 tokens.", "invalid_value"
        )
    )
    fake_openai.default_reply = Reply.json_reply(checklist(question, pack))
    grader = ModelGrader(model)
    first = await grader.grade(question, ANSWER, pack)
    assert first.grade.status == "fallback" and "max_tokens is too large" in first.grade.fallback_reason
    assert model.rejected_modes == {}
    second = await grader.grade(question, ANSWER, pack)
    assert second.ladder_step == "json_schema" and second.grade.status == "ok"
    assert formats(fake_openai) == ["json_schema", "json_schema"]


async def test_json_mode_puts_the_schema_in_the_first_system_message(grader, fake_openai, question, pack):
    """Servers that reject both schema formats get JSON mode; strict chat templates
    accept a system message only at the start, so the schema goes there."""
    fake_openai.enqueue(
        Reply.response_format_unsupported(),
        Reply.api_error(422, "response_format.schema: extra fields not permitted"),
        Reply.json_reply(checklist(question, pack)),
    )
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "json_object"
    assert formats(fake_openai) == ["json_schema", "json_object", "json_object"]
    third = fake_openai.chat_requests()[2].body
    assert third["response_format"] == {"type": "json_object"}
    assert [m["role"] for m in third["messages"]] == ["system", "user"]
    assert "It must match this JSON schema" in third["messages"][0]["content"]
    assert len(result.grade.covered) == 3


async def test_fenced_reply_with_trailing_commas_is_repaired_locally(grader, fake_openai, question, pack):
    blob = json.dumps(checklist(question, pack), indent=1).replace('"quote": ""\n', '"quote": "",\n')
    fake_openai.enqueue(Reply.ok(f"Here is the checklist:\n```json\n{blob}\n```\nHope this helps!"))
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "repair"
    assert len(fake_openai.chat_requests()) == 1
    assert len(result.grade.covered) == 3


async def test_invalid_json_is_re_asked_with_the_error(grader, fake_openai, question, pack):
    fake_openai.enqueue(Reply.invalid_json(), Reply.json_reply(checklist(question, pack)))
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "re-ask"
    first, second = fake_openai.chat_requests()
    messages = second.body["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"].startswith("Sure! Here is my assessment")
    assert "could not be used: grader reply is not valid JSON" in messages[3]["content"]
    # Both calls are recorded and their usage adds up (the fake server counts words).
    words = sum(len(m["content"].split()) for r in (first, second) for m in r.body["messages"])
    assert sum(o.usage.prompt_tokens for o in result.outcomes) == words
    assert len(result.call_ids) == 2


async def test_output_that_stays_invalid_falls_back_with_the_reason(grader, fake_openai, question, pack):
    bad = {"key_points": {"data-validation": {"verdict": "maybe", "quote": ""}}}
    fake_openai.enqueue(Reply.json_reply(bad), Reply.json_reply({"feedback": "no checklist"}))
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "invalid"
    assert (
        "key_points.data-validation.verdict" in fake_openai.chat_requests()[1].body["messages"][-1]["content"]
    )
    offline = grade_answer(ANSWER, question, pack)
    grade = result.grade
    assert grade.status == "fallback" and grade.score == offline.score and grade.score >= 1.0
    assert "stayed invalid after a re-ask" in grade.fallback_reason and "key_points" in grade.fallback_reason
    assert grade.key_points == offline.key_points


async def test_json_cut_by_the_token_limit_is_re_asked_not_completed(grader, fake_openai, question, pack):
    full = checklist(question, pack)
    # Cut at the request's own max_tokens: a re-ask asking for shorter quotes can fit.
    limit = grade_max_tokens(question, pack)
    usage = {"prompt_tokens": 500, "completion_tokens": limit, "total_tokens": 500 + limit}
    fake_openai.enqueue(replace(Reply.truncated_json(full), usage=usage), Reply.json_reply(full))
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "re-ask"
    assert "cut off at the token limit" in fake_openai.chat_requests()[1].body["messages"][-1]["content"]


async def test_a_reply_cut_by_the_endpoint_s_own_cap_is_not_re_asked_and_its_fallback_replays_exactly(
    fake_openai, openai_settings, question, pack
):
    # max_output_tokens for the endpoint is below what a grade needs (the real-server test
    # runs with 40): every attempt stops at 40, so a re-ask is a wasted call - on a CPU
    # server, half a minute. The server honours max_tokens as real ones do.
    openai_settings.openai.max_output_tokens = 40
    save_settings(openai_settings)
    fake_openai.honour_max_tokens = True
    fake_openai.enqueue(Reply.json_reply(checklist(question, pack)))
    log = CallLog()
    model = get_model(f"openai:{FAKE_MODEL}", settings=load_settings(), log=log, sleep=SleepRecorder())
    try:
        result = await ModelGrader(model).grade(question, ANSWER, pack)
    finally:
        await model.aclose()
    (request,) = fake_openai.chat_requests()
    assert request.body["max_tokens"] == 40 < grade_max_tokens(question, pack)
    grade = result.grade
    assert result.ladder_step == "invalid" and grade.status == "fallback"
    assert "stopped after 40 of the" in grade.fallback_reason and "max_output_tokens" in grade.fallback_reason

    # The replay takes the same decision from the recording alone: the same grade, byte for byte.
    replayed = await ModelGrader(Model(ReplayProvider(log.calls))).grade(question, ANSWER, pack)
    assert replayed.grade.model_dump_json() == grade.model_dump_json()


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (Reply.refused(), "declined"),
        (Reply.context_length(), "context window"),
        (Reply.unauthorized(), "API key was rejected"),
    ],
    ids=["refusal", "context-length", "wrong-key"],
)
async def test_faults_that_retrying_cannot_fix_fall_back_at_once(
    grader, fake_openai, question, pack, fault, words
):
    fake_openai.enqueue(fault)
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "invalid" and result.grade.status == "fallback"
    assert words in result.grade.fallback_reason
    assert len(fake_openai.chat_requests()) == 1


async def test_a_dead_server_ends_in_the_offline_grade_with_its_message(grader, fake_openai, question, pack):
    fake_openai.enqueue(*[Reply.server_error(503)] * 4)
    result = await grader.grade(question, ANSWER, pack)
    assert result.grade.status == "fallback"
    assert "kept failing (HTTP 503); retried 3 times" in result.grade.fallback_reason
    assert len(fake_openai.chat_requests()) == 4  # the transport retries, then gives up


async def test_the_endpoint_limits_calls_in_flight(openai_settings, fake_openai, question, pack):
    openai_settings.openai.max_concurrency = 2
    fake_openai.default_reply = Reply.json_reply(checklist(question, pack), delay_s=0.15)
    model = get_model(f"openai:{FAKE_MODEL}", settings=openai_settings)
    results = await ModelGrader(model, concurrency=10).grade_many([(question, ANSWER)] * 6, pack)
    await model.aclose()
    assert [r.ladder_step for r in results] == ["json_schema"] * 6
    assert fake_openai.max_in_flight == 2


async def test_the_grader_limits_concurrency_for_any_model(openai_settings, fake_openai, question, pack):
    openai_settings.openai.max_concurrency = 8
    fake_openai.default_reply = Reply.json_reply(checklist(question, pack), delay_s=0.15)
    model = get_model(f"openai:{FAKE_MODEL}", settings=openai_settings)
    grader = ModelGrader(model, concurrency=3)
    await grader.grade_many([(question, ANSWER)] * 7, pack)
    await model.aclose()
    assert fake_openai.max_in_flight == 3 and grader.peak_in_flight == 3


async def test_samples_record_their_agreement(openai_settings, fake_openai, question, pack):
    agreeing = checklist(question, pack)
    disagreeing = checklist(question, pack)
    disagreeing["key_points"]["champion-challenger"] = {"verdict": "missing", "quote": ""}
    fake_openai.enqueue(*(Reply.json_reply(c) for c in (agreeing, agreeing, disagreeing)))
    model = get_model(f"openai:{FAKE_MODEL}", settings=openai_settings)
    result = await ModelGrader(model, samples=3).grade(question, ANSWER, pack)
    await model.aclose()
    sent = fake_openai.chat_requests()
    assert [r.body["temperature"] for r in sent] == [0.0, 0.8, 0.8]
    grade = result.grade
    assert 0.9 < grade.sample_agreement < 1.0  # one item split 2:1, the rest unanimous
    assert "champion-challenger" in [k.id for k in grade.covered]  # the majority holds
    assert len(result.call_ids) == 3


async def test_the_stub_goes_through_the_same_grader(question, pack):
    log = CallLog()
    result = await ModelGrader(get_model("stub", log=log)).grade(question, ANSWER, pack)
    assert result.ladder_step == "stub"
    assert result.grade.status == "ok" and result.grade.grader == "stub"
    assert result.grade.agreement is None  # the stub is the offline grader: no second opinion
    assert result.grade.score == grade_answer(ANSWER, question, pack).score
    assert [c.purpose for c in log.calls] == ["grade"]


def test_the_prompt_asks_for_the_domain_s_behavioral_checks_and_only_where_the_schema_does(pack):
    """The check ids reach the prompt from the domain (StoryCheck), never spelled in the
    template: the prompt names exactly the ids the schema requires."""
    behavioral = next(q for q in pack.questions if is_behavioral(q))
    technical = next(q for q in pack.questions if not is_behavioral(q))
    text = grading_instructions(behavioral, pack)
    line = next(x for x in text.splitlines() if x.startswith("Behavioral checks."))
    assert ", ".join(STORY_CHECKS) in line
    assert checklist_schema(behavioral, pack)["properties"]["behavioral"]["required"] == list(STORY_CHECKS)
    assert '"behavioral"' in text
    technical_text = grading_instructions(technical, pack)
    assert "Behavioral checks." not in technical_text and '"behavioral"' not in technical_text
    assert "behavioral" not in checklist_schema(technical, pack)["properties"]


def test_repair_helpers():
    assert first_json_object('x {"a": "}{", "b": {"c": 1}} y {"d": 2}') == '{"a": "}{", "b": {"c": 1}}'
    assert first_json_object('{"never": "closed"') is None
    assert repair_json('{"a": [1, 2,], "s": "keep ,] this",}') == '{"a": [1, 2], "s": "keep ,] this"}'
    assert repair_json('{"a": 1}') is None  # nothing to fix
    assert repair_json("no json here") is None
    assert repair_json('```\n{"a": 1}\n```') == '{"a": 1}'
