"""The structured-output ladder over real HTTP, and the offline fallback."""

from __future__ import annotations

import json

import pytest
from fake_openai_fixtures import *  # noqa: F403 - fixtures
from fake_openai_fixtures import FAKE_MODEL, Reply, SleepRecorder

from mockinterview.conversation import checklist_schema
from mockinterview.grading import grade_answer
from mockinterview.grading.model_grader import ModelGrader, first_json_object, repair_json
from mockinterview.models.base import AuthenticationFailed, ModelUnavailable
from mockinterview.models.openai_model import OpenAIModel
from mockinterview.models.stub import StubModel
from mockinterview.packs.loader import load_pack

ANSWER = (
    "First I validate each new batch of data: schema, ranges and volumes before training. "
    "Then I retrain with experiment tracking and keep versions in a model registry. "
    "The challenger is compared with the champion on the same recent holdout."
)


@pytest.fixture(scope="module")
def pack():
    return load_pack("data-scientist")


@pytest.fixture(scope="module")
def question(pack):
    return pack.question("automated-retraining-pipeline")


def checklist(question) -> dict:
    evidence = {
        "data-validation": "I validate each new batch of data: schema, ranges and volumes",
        "tracked-retraining": "retrain with experiment tracking and keep versions in a model registry",
        "champion-challenger": "The challenger is compared with the champion on the same recent holdout",
    }
    return {
        "key_points": [
            {"id": kp.id, "covered": kp.id in evidence, "evidence": evidence.get(kp.id)}
            for kp in question.key_points
        ],
        "mistakes": [
            {"id": "no-monitoring", "present": True, "evidence": "before training", "note": "no drift"}
        ],
        "behavioral": [],
        "flags": [],
        "feedback": "Solid pipeline; add monitoring and rollback.",
    }


@pytest.fixture
async def grader(openai_settings):
    model = OpenAIModel(FAKE_MODEL, openai_settings, sleep=SleepRecorder())
    yield ModelGrader(model)
    await model.aclose()


def last_user_message(recorded) -> str:
    return [m for m in recorded.body["messages"] if m["role"] == "user"][-1]["content"]


async def test_json_schema_step(grader, fake_openai, question, pack):
    fake_openai.enqueue(Reply.json_reply(checklist(question)))
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "json_schema"
    assert result.grade.status == "ok" and result.grade.grader == f"openai:{FAKE_MODEL}"
    assert [k.id for k in result.grade.covered] == [
        "data-validation",
        "tracked-retraining",
        "champion-challenger",
    ]
    assert [m.id for m in result.grade.mistakes] == ["no-monitoring"]
    (sent,) = fake_openai.chat_requests()
    assert sent.body["response_format"]["type"] == "json_schema"
    assert sent.body["response_format"]["json_schema"]["schema"] == checklist_schema()


async def test_server_without_json_schema_gets_json_mode(grader, fake_openai, question, pack):
    fake_openai.enqueue(Reply.response_format_unsupported(), Reply.json_reply(checklist(question)))
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "json_object"
    first, second = fake_openai.chat_requests()
    assert second.body["response_format"] == {"type": "json_object"}
    assert "It must match this JSON schema" in second.body["messages"][-1]["content"]
    assert len(result.grade.covered) == 3


async def test_fenced_reply_with_trailing_commas_is_repaired_locally(grader, fake_openai, question, pack):
    blob = json.dumps(checklist(question), indent=1).replace('"note": "no drift"', '"note": "no drift",')
    blob = blob.replace("\n}", ",\n}")
    fake_openai.enqueue(Reply.ok(f"Here is the checklist:\n```json\n{blob}\n```\nHope this helps!"))
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "repair"
    assert len(fake_openai.chat_requests()) == 1
    assert json.loads(result.response.text)["feedback"].startswith("Solid pipeline")
    assert len(result.grade.covered) == 3


async def test_invalid_json_is_re_asked_with_the_error(grader, fake_openai, question, pack):
    fake_openai.enqueue(Reply.invalid_json(), Reply.json_reply(checklist(question)))
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "re-ask"
    first, second = fake_openai.chat_requests()
    assert second.body["messages"][-2]["role"] == "assistant"
    assert second.body["messages"][-2]["content"].startswith("Sure! Here is my assessment")
    assert "could not be used: grader reply is not valid JSON" in last_user_message(second)
    # Usage covers both calls (the fake server counts words).
    words = sum(len(m["content"].split()) for r in (first, second) for m in r.body["messages"])
    assert result.response.usage.prompt_tokens == words


async def test_schema_violation_names_the_field_then_falls_back(grader, fake_openai, question, pack):
    bad = {"key_points": [{"id": "data-validation", "covered": "maybe"}]}
    fake_openai.enqueue(Reply.json_reply(bad), Reply.json_reply({"feedback": "no checklist"}))
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "invalid"
    _, second = fake_openai.chat_requests()
    assert "key_points.0.covered" in last_user_message(second)
    offline = grade_answer(ANSWER, question, pack)
    assert result.grade.status == "fallback"
    assert result.grade.score == offline.score and result.grade.score >= 1.0
    assert result.grade.fallback_reason == f"openai:{FAKE_MODEL} returned invalid structured output"
    assert result.grade.key_points == offline.key_points


async def test_json_that_never_closes_is_re_asked_not_completed(grader, fake_openai, question, pack):
    fake_openai.enqueue(Reply.truncated_json(checklist(question)), Reply.json_reply(checklist(question)))
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "re-ask"
    assert "cut off at the token limit" in last_user_message(fake_openai.chat_requests()[1])


async def test_json_that_never_closes_twice_falls_back(grader, fake_openai, question, pack):
    fake_openai.enqueue(*[Reply.truncated_json(checklist(question))] * 2)
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "invalid" and result.grade.status == "fallback"


@pytest.mark.parametrize(
    "fault", [Reply.refused(), Reply.context_length()], ids=["refusal", "context-length"]
)
async def test_refusal_or_context_overflow_falls_back_at_once(grader, fake_openai, question, pack, fault):
    fake_openai.enqueue(fault)
    result = await grader.grade(question, ANSWER, pack)
    assert result.ladder_step == "invalid" and result.grade.status == "fallback"
    assert len(fake_openai.chat_requests()) == 1


async def test_transport_faults_are_raised_not_hidden(grader, fake_openai, question, pack):
    fake_openai.enqueue(*[Reply.server_error()] * 4)
    with pytest.raises(ModelUnavailable, match="retried 3 times"):
        await grader.grade(question, ANSWER, pack)


async def test_wrong_key_is_raised(openai_settings, fake_openai, question, pack, monkeypatch):
    from mockinterview.storage.config import load_settings

    monkeypatch.setenv("OPENAI_API_KEY", "sk-not-the-right-one-000000")
    model = OpenAIModel(FAKE_MODEL, load_settings())
    with pytest.raises(AuthenticationFailed):
        await ModelGrader(model).grade(question, ANSWER, pack)
    await model.aclose()


async def test_the_model_limits_concurrent_grading_calls(openai_settings, fake_openai, question, pack):
    openai_settings.openai.grading_concurrency = 2
    fake_openai.default_reply = Reply.json_reply(checklist(question), delay_s=0.15)
    model = OpenAIModel(FAKE_MODEL, openai_settings)
    results = await ModelGrader(model, concurrency=10).grade_many([(question, ANSWER)] * 6, pack)
    await model.aclose()
    assert [r.ladder_step for r in results] == ["json_schema"] * 6
    assert fake_openai.max_in_flight == 2


async def test_the_grader_limits_concurrency_for_any_model(openai_settings, fake_openai, question, pack):
    fake_openai.default_reply = Reply.json_reply(checklist(question), delay_s=0.15)
    model = OpenAIModel(FAKE_MODEL, openai_settings)
    grader = ModelGrader(model, concurrency=3)
    await grader.grade_many([(question, ANSWER)] * 7, pack)
    await model.aclose()
    assert fake_openai.max_in_flight == 3 and grader.peak_in_flight == 3


async def test_the_stub_goes_through_the_same_grader(question, pack):
    result = await ModelGrader(StubModel()).grade(question, ANSWER, pack)
    assert result.ladder_step == "stub"
    assert result.grade.status == "ok"
    assert result.grade.grader == "stub" and 1.0 <= result.grade.score <= 5.0


def test_repair_helpers():
    assert first_json_object('x {"a": "}{", "b": {"c": 1}} y {"d": 2}') == '{"a": "}{", "b": {"c": 1}}'
    assert first_json_object('{"never": "closed"') is None
    assert repair_json('{"a": [1, 2,], "s": "keep ,] this",}') == '{"a": [1, 2], "s": "keep ,] this"}'
    assert repair_json('{"a": 1}') is None  # nothing to fix
    assert repair_json("no json here") is None
    assert repair_json('```\n{"a": 1}\n```') == '{"a": 1}'
