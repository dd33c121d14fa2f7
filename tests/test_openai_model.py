"""An ``openai:NAME`` model - the OpenAI provider inside the ``Model`` wrapper - over the
real openai SDK and real HTTP, against the local fake server.

One test per fault mode: each asserts the one-line message a user sees and how many
requests (retries) reached the server.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
from fake_openai_fixtures import *  # noqa: F403 - fixtures
from fake_openai_fixtures import FAKE_MODEL, TEST_KEY, Reply, SleepRecorder, files_containing

from mockinterview.models import get_model
from mockinterview.models.base import (
    AuthenticationFailed,
    ChatMessage,
    ChatRequest,
    ContextTooLong,
    ModelTimeout,
    ModelUnavailable,
    RateLimited,
    Refused,
    StreamBroken,
    UnknownModel,
)
from mockinterview.storage.config import Settings


def OpenAIModel(name: str, settings, *, sleep=None):  # noqa: N802 - reads like the old class
    return get_model(f"openai:{name.removeprefix('openai:')}", settings=settings, sleep=sleep)


TEXT = "Let's start with a question about the bias-variance trade-off."


def request(**kw) -> ChatRequest:
    return ChatRequest(
        purpose="interviewer",
        messages=[
            ChatMessage(role="system", content="You are an interviewer."),
            ChatMessage(role="user", content="Hello, I am ready."),
        ],
        max_tokens=200,
        **kw,
    )


@pytest.fixture
async def model(openai_settings):
    m = OpenAIModel(f"openai:{FAKE_MODEL}", openai_settings, sleep=SleepRecorder())
    yield m
    await m.aclose()


def collector():
    chunks: list[str] = []

    async def on_chunk(text: str) -> None:
        chunks.append(text)

    return chunks, on_chunk


# -- the happy paths ---------------------------------------------------------------


async def test_plain_reply_sends_what_it_should_and_keeps_the_key_off_disk(model, fake_openai, isolated_dirs):
    fake_openai.enqueue(Reply.ok(TEXT))
    response = await model.complete(request())
    assert response.text == TEXT
    assert response.model == f"openai:{FAKE_MODEL}"
    assert response.finish_reason == "stop"
    assert response.usage.prompt_tokens == 8 and response.usage.completion_tokens == len(TEXT.split())
    (sent,) = fake_openai.chat_requests()
    assert sent.headers["authorization"] == f"Bearer {TEST_KEY}"
    assert sent.body["model"] == FAKE_MODEL
    assert sent.body["messages"][1] == {"role": "user", "content": "Hello, I am ready."}
    assert sent.body["max_tokens"] == 200 and sent.body["temperature"] == 0.0
    assert "stream" not in sent.body and "response_format" not in sent.body
    assert sent.headers.get("x-stainless-retry-count", "0") == "0"  # the SDK's own retries are off
    assert files_containing(TEST_KEY, isolated_dirs["data"], isolated_dirs["config"]) == []


async def test_streaming_delivers_every_chunk_in_order(model, fake_openai):
    fake_openai.enqueue(Reply.ok(TEXT, chunk_chars=5))
    chunks, on_chunk = collector()
    response = await model.complete(request(), on_chunk)
    assert "".join(chunks) == response.text == TEXT
    assert len(chunks) == -(-len(TEXT) // 5)
    sent = fake_openai.chat_requests()[0].body
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert response.usage.completion_tokens == len(TEXT.split())  # the server's usage chunk


async def test_a_sync_chunk_callback_works_too(model, fake_openai):
    fake_openai.enqueue(Reply.ok(TEXT))
    chunks: list[str] = []
    await model.complete(request(), chunks.append)
    assert "".join(chunks) == TEXT


async def test_usage_is_counted_locally_when_the_server_does_not_report_it(model, fake_openai):
    from mockinterview.models import tokens

    fake_openai.enqueue(Reply.ok(TEXT, send_usage=False), Reply.ok(TEXT, send_usage=False))
    for on_chunk in (None, collector()[1]):
        response = await model.complete(request(), on_chunk)
        assert response.usage.prompt_tokens == tokens.count_messages(request().messages, FAKE_MODEL)
        assert response.usage.completion_tokens == tokens.count_tokens(TEXT, FAKE_MODEL)


async def test_structured_requests_ask_for_the_schema_or_json_mode(model, fake_openai):
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    fake_openai.enqueue(Reply.json_reply({"ok": True}), Reply.json_reply({"ok": True}))
    first = await model.complete(request(response_schema=schema, structured_mode="json_schema"))
    second = await model.complete(request(response_schema=schema, structured_mode="json_object"))
    assert json.loads(first.text) == {"ok": True}
    assert (first.ladder_step, second.ladder_step) == ("json_schema", "json_object")
    sent = [r.body["response_format"] for r in fake_openai.chat_requests()]
    assert sent[0] == {
        "type": "json_schema",
        "json_schema": {"name": "interviewer", "schema": schema, "strict": False},
    }
    assert sent[1] == {"type": "json_object"}


async def test_reasoning_models_get_max_completion_tokens_and_no_temperature(openai_settings, fake_openai):
    model = OpenAIModel("o4-mini", openai_settings)
    await model.complete(request())
    await model.aclose()
    sent = fake_openai.chat_requests()[0].body
    assert sent["max_completion_tokens"] == 200
    assert "max_tokens" not in sent and "temperature" not in sent


async def test_get_model_builds_it_from_the_users_config(openai_settings, fake_openai):
    model = get_model(f"openai:{FAKE_MODEL}")
    try:
        assert await model.provider.list_models() == sorted([FAKE_MODEL, "o4-mini"])
        assert (await model.complete(request())).text
    finally:
        await model.aclose()


# -- fault modes -----------------------------------------------------------------------


async def test_429_honours_retry_after_then_succeeds(openai_settings, fake_openai):
    fake_openai.enqueue(Reply.rate_limited(retry_after="1"), Reply.ok(TEXT))
    model = OpenAIModel(FAKE_MODEL, openai_settings)  # real sleeping
    started = time.monotonic()
    response = await model.complete(request())
    await model.aclose()
    assert response.text == TEXT
    assert time.monotonic() - started >= 1.0
    assert model.last_waits == [1.0]
    assert len(fake_openai.chat_requests()) == 2


async def test_429_that_persists_says_how_often_it_retried(model, fake_openai):
    fake_openai.enqueue(*[Reply.rate_limited(retry_after="0.5")] * 4)
    with pytest.raises(RateLimited) as info:
        await model.complete(request())
    assert info.value.message == f"rate limited by {fake_openai.base_url}; retried 3 times"
    assert model.last_waits == [0.5, 0.5, 0.5]
    assert len(fake_openai.chat_requests()) == 4


async def test_429_asking_to_wait_past_the_time_budget_gives_up_at_once(model, fake_openai):
    fake_openai.enqueue(Reply.rate_limited(retry_after="120"))
    with pytest.raises(RateLimited, match="the server asks to wait 120 s") as info:
        await model.complete(request())
    assert info.value.retryable
    assert len(fake_openai.chat_requests()) == 1


async def test_429_out_of_quota_is_not_retried(model, fake_openai):
    fake_openai.enqueue(Reply.rate_limited(retry_after=None, code="insufficient_quota"))
    with pytest.raises(RateLimited, match="out of quota") as info:
        await model.complete(request())
    assert not info.value.retryable
    assert len(fake_openai.chat_requests()) == 1


async def test_500_is_retried_with_growing_backoff(model, fake_openai):
    fake_openai.enqueue(Reply.server_error(500), Reply.server_error(503), Reply.ok(TEXT))
    assert (await model.complete(request())).text == TEXT
    assert len(fake_openai.chat_requests()) == 3
    first, second = model.last_waits
    assert 0.005 <= first <= 0.01 and 0.01 <= second <= 0.02  # base 0.01 doubling, jitter 50-100%


async def test_500_that_persists_is_unavailable(model, fake_openai):
    fake_openai.enqueue(*[Reply.server_error(500)] * 4)
    with pytest.raises(ModelUnavailable) as info:
        await model.complete(request())
    assert info.value.message == f"{fake_openai.base_url} kept failing (HTTP 500); retried 3 times"
    assert info.value.retryable


async def test_slow_reply_within_the_timeout_is_fine(model, fake_openai):
    fake_openai.enqueue(Reply.slow(0.3, TEXT))
    assert (await model.complete(request())).text == TEXT


async def test_slow_reply_past_the_timeout_times_out_after_retries(openai_settings, fake_openai):
    openai_settings.openai.timeout_s = 0.3
    openai_settings.openai.max_retries = 1
    fake_openai.enqueue(Reply.slow(1.0), Reply.slow(1.0))
    model = OpenAIModel(FAKE_MODEL, openai_settings, sleep=SleepRecorder())
    with pytest.raises(ModelTimeout) as info:
        await model.complete(request())
    await model.aclose()
    assert info.value.message == f"no reply from {fake_openai.base_url} within 0.3 s; retried 1 time"
    assert len(fake_openai.chat_requests()) == 2


async def test_hung_connection_is_bounded_by_the_total_time(openai_settings, fake_openai):
    openai_settings.openai.timeout_s = 30  # the per-request timeout alone would wait far longer
    openai_settings.openai.max_total_s = 0.8
    fake_openai.enqueue(Reply.hung())
    model = OpenAIModel(FAKE_MODEL, openai_settings)
    started = time.monotonic()
    with pytest.raises(ModelTimeout) as info:
        await model.complete(request())
    await model.aclose()
    assert time.monotonic() - started < 10  # bounded, not the 30 s read timeout (x retries)
    assert info.value.message == f"no complete reply from {fake_openai.base_url} within 0.8 s"


async def test_a_body_that_never_completes_times_out_and_is_retried(openai_settings, fake_openai):
    openai_settings.openai.timeout_s = 0.4
    fake_openai.enqueue(Reply.never_closing_body(), Reply.ok(TEXT))
    model = OpenAIModel(FAKE_MODEL, openai_settings, sleep=SleepRecorder())
    assert (await model.complete(request())).text == TEXT
    await model.aclose()
    assert len(fake_openai.chat_requests()) == 2


@pytest.mark.parametrize("mode", ["reset", "eof"])
async def test_stream_cut_mid_reply_is_reported_not_silently_retried(model, fake_openai, mode):
    fake_openai.enqueue(Reply.cut(TEXT, after_chars=20, mode=mode))
    chunks, on_chunk = collector()
    with pytest.raises(StreamBroken) as info:
        await model.complete(request(), on_chunk)
    assert info.value.message == "the reply stream was cut after 20 characters"
    assert info.value.retryable  # the engine may retry the step
    assert "".join(chunks) == TEXT[:20]
    assert len(fake_openai.chat_requests()) == 1  # no duplicate text on screen


async def test_stream_cut_before_any_text_is_asked_again_without_streaming(model, fake_openai):
    fake_openai.enqueue(Reply.cut(TEXT, after_chars=0), Reply.ok(TEXT))
    chunks, on_chunk = collector()
    response = await model.complete(request(), on_chunk)
    assert "".join(chunks) == response.text == TEXT
    first, second = fake_openai.chat_requests()
    assert first.body.get("stream") is True and "stream" not in second.body


async def test_trickle_stream_arrives_whole(model, fake_openai):
    fake_openai.enqueue(Reply.trickle(TEXT, interval_s=0.01, chunk_chars=3))
    chunks, on_chunk = collector()
    response = await model.complete(request(), on_chunk)
    assert "".join(chunks) == response.text == TEXT
    assert len(chunks) == -(-len(TEXT) // 3)


async def test_trickle_stream_past_the_total_time_stops_with_a_clear_message(openai_settings, fake_openai):
    openai_settings.openai.max_total_s = 1.0
    fake_openai.enqueue(Reply.trickle(TEXT, interval_s=0.1, chunk_chars=2))
    model = OpenAIModel(FAKE_MODEL, openai_settings)
    chunks, on_chunk = collector()
    with pytest.raises(ModelTimeout) as info:
        await model.complete(request(), on_chunk)
    await model.aclose()
    got = len("".join(chunks))
    assert 0 < got < len(TEXT)
    assert info.value.message == (
        f"no complete reply from {fake_openai.base_url} within 1 s (stopped after {got} characters)"
    )


@pytest.mark.parametrize("streaming", [False, True])
async def test_refusal_is_reported_and_not_retried(model, fake_openai, streaming):
    fake_openai.enqueue(Reply.refused("I can't help with that."))
    with pytest.raises(Refused) as info:
        await model.complete(request(), collector()[1] if streaming else None)
    assert info.value.message == "the model declined: I can't help with that."
    assert len(fake_openai.chat_requests()) == 1


async def test_context_length_error(model, fake_openai):
    fake_openai.enqueue(Reply.context_length())
    with pytest.raises(ContextTooLong) as info:
        await model.complete(request())
    assert info.value.message.startswith("the conversation exceeds the model's context window (")
    assert "8192" in info.value.message
    assert len(fake_openai.chat_requests()) == 1


async def test_wrong_key_is_rejected_without_echoing_it(openai_settings, fake_openai, monkeypatch):
    wrong = "sk-wrong-key-abcdefghijklmnop"
    monkeypatch.setenv("OPENAI_API_KEY", wrong)
    from mockinterview.storage.config import load_settings

    model = OpenAIModel(FAKE_MODEL, load_settings())
    with pytest.raises(AuthenticationFailed) as info:
        await model.complete(request())
    await model.aclose()
    assert info.value.message == "the API key was rejected (401); check OPENAI_API_KEY"
    assert fake_openai.chat_requests()[0].headers["authorization"] == f"Bearer {wrong}"
    assert len(fake_openai.chat_requests()) == 1


async def test_local_server_that_wants_a_key_when_none_is_set(openai_settings, fake_openai, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    from mockinterview.storage.config import load_settings

    model = OpenAIModel(FAKE_MODEL, load_settings())
    with pytest.raises(AuthenticationFailed, match=r"requires an API key \(401\): set OPENAI_API_KEY"):
        await model.complete(request())
    await model.aclose()


async def test_no_key_for_the_official_endpoint_fails_before_any_request():
    model = OpenAIModel("gpt-4o-mini", Settings())
    with pytest.raises(AuthenticationFailed, match="no API key: set OPENAI_API_KEY"):
        await model.complete(request())


async def test_unknown_model(openai_settings, fake_openai):
    model = OpenAIModel("no-such-model", openai_settings)
    with pytest.raises(UnknownModel) as info:
        await model.complete(request())
    await model.aclose()
    assert info.value.message == f"model 'no-such-model' not found at {fake_openai.base_url}"


async def test_base_url_without_v1_is_explained(openai_settings, fake_openai):
    openai_settings.openai.base_url = fake_openai.base_url.removesuffix("/v1")
    model = OpenAIModel(FAKE_MODEL, openai_settings)
    with pytest.raises(
        UnknownModel, match=r"has no chat completions endpoint \(404\); check OPENAI_BASE_URL"
    ):
        await model.complete(request())
    await model.aclose()


async def test_unreachable_endpoint(openai_settings):
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    openai_settings.openai.base_url = f"http://127.0.0.1:{port}/v1"
    recorder = SleepRecorder()
    model = OpenAIModel(FAKE_MODEL, openai_settings, sleep=recorder)
    with pytest.raises(ModelUnavailable) as info:
        await model.complete(request())
    await model.aclose()
    assert (
        info.value.message == f"cannot reach http://127.0.0.1:{port}/v1: connection refused; retried 3 times"
    )
    assert len(recorder.waits) == 3


async def test_calls_run_concurrently_on_one_client(openai_settings, fake_openai):
    openai_settings.openai.max_concurrency = 4
    model = OpenAIModel(FAKE_MODEL, openai_settings)
    fake_openai.default_reply = Reply.slow(0.3, TEXT)
    replies = await asyncio.gather(*(model.complete(request()) for _ in range(4)))
    assert [r.text for r in replies] == [TEXT] * 4
    assert fake_openai.max_in_flight == 4  # all four were at the server at once
