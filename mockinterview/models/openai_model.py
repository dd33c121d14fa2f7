"""The model for any OpenAI-compatible endpoint, over the official ``openai`` SDK.

Retries are ours, not the SDK's (``max_retries=0``): exponential backoff with jitter
on 429, 5xx, timeouts and connection errors, honouring ``Retry-After``, inside one
bounded total time per call, so they can be counted and reported. Every SDK error is
mapped to the ``ModelError`` family with one line a user can act on; the API key is
scrubbed from anything a server echoes back. The SDK is imported only when a client
is first needed, so importing this module stays cheap.
"""

from __future__ import annotations

import asyncio
import inspect
import random
import re
import socket
import ssl
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from mockinterview.domain.transcript import TokenUsage
from mockinterview.models import tokens
from mockinterview.models.base import (
    AuthenticationFailed,
    ChatRequest,
    ChatResponse,
    ChunkCallback,
    ContextTooLong,
    ModelError,
    ModelTimeout,
    ModelUnavailable,
    RateLimited,
    Refused,
    StreamBroken,
    UnknownModel,
)
from mockinterview.storage.config import Settings, load_settings

if TYPE_CHECKING:
    import openai

# Reasoning models take max_completion_tokens and only their default temperature.
_REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")
_CONTEXT_HINTS = (
    "context_length_exceeded",
    "context length",
    "context window",
    "maximum context",
    "too many tokens",
)
_PLACEHOLDER_KEY = "no-key"  # local servers often need no key, but the SDK insists on one


class UnsupportedRequest(ModelError):
    """The server rejected the request's shape (HTTP 400/422), e.g. a response format
    it does not support. The grading ladder steps down to a simpler format on this."""


class OpenAIModel:
    """``Model`` for ``openai:NAME``; ``settings`` default to the user's config + env."""

    def __init__(self, name: str, settings: Settings | None = None, *, sleep=asyncio.sleep) -> None:
        self.model_id = name.removeprefix("openai:")
        if not self.model_id:
            raise ModelError("no model name: use --model openai:NAME")
        self.name = f"openai:{self.model_id}"
        self.settings = settings if settings is not None else load_settings()
        self._sleep = sleep  # injectable so tests can see the waits without taking them
        self._client: openai.AsyncOpenAI | None = None
        self.calls = 0  # completed or failed calls
        self.retries = 0  # retries across all calls, for tests and diagnostics
        self.last_waits: list[float] = []  # the waits before each retry of the latest call
        self._structured_slots = asyncio.Semaphore(self.settings.openai.grading_concurrency)

    # -- plumbing ------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self.settings.base_url

    def _has_key(self) -> bool:
        return self.settings.api_key is not None

    def client(self) -> openai.AsyncOpenAI:
        if self._client is None:
            if not self._has_key() and self.settings.openai.base_url is None:
                raise AuthenticationFailed(
                    "no API key: set OPENAI_API_KEY (or OPENAI_BASE_URL for a local server that needs none)"
                )
            import openai

            key = self.settings.api_key.get_secret_value() if self.settings.api_key else _PLACEHOLDER_KEY
            self._client = openai.AsyncOpenAI(
                api_key=key,
                base_url=self.base_url,
                timeout=self.settings.openai.timeout_s,
                max_retries=0,  # retries are ours, so they are bounded, counted and reported
            )
            _ = self._client.chat.completions  # the SDK imports resources lazily: do it now
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def list_models(self) -> list[str]:
        """The model ids the endpoint offers (a cheap connectivity and key check)."""
        try:
            page = await self.client().models.list()
        except Exception as exc:  # noqa: BLE001 - mapped to one line below
            raise self._classify(exc) from None
        return sorted(m.id for m in page.data)

    def _params(self, request: ChatRequest, stream: bool) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model_id,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        }
        reasoning = tokens.normalize_model_name(self.model_id).startswith(_REASONING_PREFIXES)
        if not reasoning:
            params["temperature"] = request.temperature
        if request.max_tokens:
            params["max_completion_tokens" if reasoning else "max_tokens"] = request.max_tokens
        if request.response_schema is not None:
            if request.structured_mode == "json_object":
                params["response_format"] = {"type": "json_object"}
            else:
                name = re.sub(r"[^A-Za-z0-9_-]", "_", request.purpose or "output")[:64]
                params["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": name, "schema": request.response_schema, "strict": False},
                }
        if stream:
            params["stream"] = True
            params["stream_options"] = {"include_usage": True}
        return params

    # -- the call ------------------------------------------------------------------
    async def complete(self, request: ChatRequest, on_chunk: ChunkCallback | None = None) -> ChatResponse:
        """Free text: one call (streamed to ``on_chunk`` if given). Structured output
        (``response_schema`` set): the grading ladder, at most ``grading_concurrency``
        at a time; the reply's ``ladder_step`` says which step produced it."""
        if request.response_schema is not None and request.structured_mode is None:
            from mockinterview.grading.model_grader import run_ladder

            async with self._structured_slots:
                outcome = await run_ladder(self.complete_once, request, model_name=self.name)
            return outcome.response
        return await self.complete_once(request, on_chunk)

    async def complete_once(
        self, request: ChatRequest, on_chunk: ChunkCallback | None = None
    ) -> ChatResponse:
        """One request, with retries for transient faults but no structured-output ladder."""
        cfg = self.settings.openai
        started = time.monotonic()
        deadline = started + cfg.max_total_s
        self.calls += 1
        self.last_waits = []
        self.client()  # importing the SDK (about a second, once) is not the server's time
        attempt = 0
        while True:
            streamed = _Progress()
            remaining = deadline - time.monotonic()
            try:
                async with asyncio.timeout(max(remaining, 0.001)) as budget:
                    raw = await self._attempt(request, on_chunk, streamed)
            except TimeoutError:
                if not budget.expired():
                    raise
                where = f" (stopped after {streamed.chars} characters)" if streamed.chars else ""
                raise ModelTimeout(
                    f"no complete reply from {self.base_url} within {cfg.max_total_s:g} s{where}"
                    + _retried(attempt)
                ) from None
            except ModelError as error:
                wait = self._retry_wait(error, attempt, streamed, deadline)
                if wait is None:
                    if error.retryable and attempt:
                        error.message = error.message + _retried(attempt)
                        error.args = (error.message,)
                    raise error from None
                attempt += 1
                self.retries += 1
                self.last_waits.append(wait)
                await self._sleep(wait)
                continue
            # Counting tokens locally can take a moment (tables load once): off the clock.
            response = self._response(raw, request)
            response.latency_ms = round((time.monotonic() - started) * 1000, 1)
            return response

    def _retry_wait(
        self, error: ModelError, attempt: int, streamed: _Progress, deadline: float
    ) -> float | None:
        """Seconds to wait before retrying, or None to give up now."""
        cfg = self.settings.openai
        # Once text has reached the UI a silent retry would show it twice; the caller
        # (the engine's retry()) decides instead.
        if not error.retryable or attempt >= cfg.max_retries or streamed.chars:
            return None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            wait = retry_after
        else:
            backoff = min(cfg.backoff_base_s * 2**attempt, cfg.backoff_max_s)
            wait = backoff * (0.5 + random.random() / 2)  # jitter spreads clients apart
        if time.monotonic() + wait >= deadline:
            if retry_after is not None:
                error.message = f"{error.message}; the server asks to wait {retry_after:g} s"
                error.args = (error.message,)
            return None
        return wait

    async def _attempt(
        self, request: ChatRequest, on_chunk: ChunkCallback | None, streamed: _Progress
    ) -> _Raw:
        client = self.client()
        stream = on_chunk is not None
        params = self._params(request, stream)
        try:
            result = await client.chat.completions.create(**params)
        except Exception as exc:  # noqa: BLE001 - every SDK failure becomes one ModelError
            raise self._classify(exc) from None
        if stream:
            return await self._read_stream(result, request, on_chunk, streamed)
        return self._read_completion(result, request)

    def _read_completion(self, completion: Any, request: ChatRequest) -> _Raw:
        if not completion.choices:
            raise ModelError(f"{self.base_url} returned no choices", retryable=True)
        choice = completion.choices[0]
        message = choice.message
        refusal = getattr(message, "refusal", None)
        if refusal:
            raise Refused(f"the model declined: {_one_line(self.settings.redact(refusal), 120)}")
        if choice.finish_reason == "content_filter":
            raise Refused("the reply was blocked by the provider's content filter")
        return self._raw(message.content or "", completion.usage, choice.finish_reason)

    async def _read_stream(
        self, stream: Any, request: ChatRequest, on_chunk: ChunkCallback, streamed: _Progress
    ) -> _Raw:
        parts: list[str] = []
        refusal: list[str] = []
        finish: str | None = None
        usage_seen = None
        iterator = stream.__aiter__()
        try:
            while True:
                try:
                    chunk = await iterator.__anext__()
                except StopAsyncIteration:
                    break
                except Exception as exc:  # noqa: BLE001 - a broken stream, whatever the transport says
                    raise self._stream_failure(exc, streamed.chars) from None
                if getattr(chunk, "usage", None):
                    usage_seen = chunk.usage
                for choice in chunk.choices or []:
                    delta = choice.delta
                    if delta is not None and getattr(delta, "refusal", None):
                        refusal.append(delta.refusal)
                    if delta is not None and delta.content:
                        parts.append(delta.content)
                        streamed.chars += len(delta.content)
                        result = on_chunk(delta.content)
                        if inspect.isawaitable(result):
                            await result
                    if choice.finish_reason:
                        finish = choice.finish_reason
        finally:
            await stream.close()
        if refusal:
            raise Refused(f"the model declined: {_one_line(self.settings.redact(''.join(refusal)), 120)}")
        if finish == "content_filter":
            raise Refused("the reply was blocked by the provider's content filter")
        if finish is None:
            raise StreamBroken(f"the reply stream was cut after {streamed.chars} characters")
        return self._raw("".join(parts), usage_seen, finish)

    def _raw(self, text: str, usage: Any, finish: str | None) -> _Raw:
        if not text.strip() and finish != "length":
            raise ModelError(f"{self.base_url} returned an empty reply", retryable=True)
        return _Raw(text, usage, finish)

    def _response(self, raw: _Raw, request: ChatRequest) -> ChatResponse:
        step = None
        if request.response_schema is not None:
            step = request.structured_mode or "json_schema"
        usage = self._usage(raw.usage, request, raw.text)
        return ChatResponse(
            text=raw.text, model=self.name, usage=usage, finish_reason=raw.finish, ladder_step=step
        )

    def _usage(self, reported: Any, request: ChatRequest, text: str) -> TokenUsage:
        if reported is not None and getattr(reported, "prompt_tokens", None) is not None:
            return TokenUsage(
                prompt_tokens=reported.prompt_tokens, completion_tokens=reported.completion_tokens or 0
            )
        # The server did not say (some local servers never do): count it ourselves.
        return TokenUsage(
            prompt_tokens=tokens.count_messages(request.messages, self.model_id),
            completion_tokens=tokens.count_tokens(text, self.model_id),
        )

    # -- errors --------------------------------------------------------------------
    def _stream_failure(self, exc: Exception, chars: int) -> ModelError:
        import openai

        if isinstance(exc, openai.APIStatusError):  # an error event inside the stream
            return self._classify(exc)
        if "timeout" in type(exc).__name__.lower():
            return StreamBroken(
                f"the reply stream stalled after {chars} characters (nothing for {self.settings.openai.timeout_s:g} s)"
            )
        return StreamBroken(f"the reply stream was cut after {chars} characters")

    def _classify(self, exc: BaseException) -> ModelError:
        """One SDK exception -> one ModelError with a line a user can act on."""
        import openai

        base = self.base_url
        if isinstance(exc, ModelError):
            return exc
        if isinstance(exc, openai.APITimeoutError):
            return ModelTimeout(f"no reply from {base} within {self.settings.openai.timeout_s:g} s")
        if isinstance(exc, openai.APIConnectionError):
            return ModelUnavailable(f"cannot reach {base}: {_connection_reason(exc)}")
        if isinstance(exc, openai.APIStatusError):
            return self._classify_status(exc)
        if isinstance(exc, openai.OpenAIError):
            return ModelError(f"the OpenAI client failed: {_one_line(self.settings.redact(str(exc)), 160)}")
        return ModelError(
            f"unexpected error talking to {base}: {type(exc).__name__}: {_one_line(str(exc), 120)}"
        )

    def _classify_status(self, exc: openai.APIStatusError) -> ModelError:
        base, status = self.base_url, exc.status_code
        detail = _one_line(self.settings.redact(_error_message(exc)), 160)
        code = (exc.code or "").lower()
        if status in (401, 403):
            if not self._has_key():
                return AuthenticationFailed(f"{base} requires an API key ({status}): set OPENAI_API_KEY")
            return AuthenticationFailed(f"the API key was rejected ({status}); check OPENAI_API_KEY")
        if status == 404:
            if code == "model_not_found" or "model" in detail.lower():
                return UnknownModel(f"model '{self.model_id}' not found at {base}")
            return UnknownModel(
                f"{base} has no chat completions endpoint (404); check OPENAI_BASE_URL (it usually ends in /v1)"
            )
        if status == 429:
            if code == "insufficient_quota":
                return RateLimited(
                    f"the account at {base} is out of quota (429 insufficient_quota)", retryable=False
                )
            error = RateLimited(f"rate limited by {base}")
            error.retry_after = _retry_after(exc)
            return error
        if any(hint in code or hint in detail.lower() for hint in _CONTEXT_HINTS):
            return ContextTooLong(f"the conversation exceeds the model's context window ({detail})")
        if status in (408, 409) or status >= 500:
            error = ModelUnavailable(f"{base} kept failing (HTTP {status})")
            error.retry_after = _retry_after(exc)
            return error
        if status in (400, 413, 415, 422):
            return UnsupportedRequest(f"{base} rejected the request (HTTP {status}): {detail}")
        return ModelError(f"{base} answered HTTP {status}: {detail}")


@dataclass
class _Raw:
    """A reply as received, before token counting."""

    text: str
    usage: Any  # the server's usage object, or None
    finish: str | None


class _Progress:
    """How much of a streamed reply has already gone to the caller."""

    __slots__ = ("chars",)

    def __init__(self) -> None:
        self.chars = 0


def _retried(attempts: int) -> str:
    if not attempts:
        return ""
    return f"; retried {attempts} time" + ("" if attempts == 1 else "s")


def _one_line(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _error_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(exc.message or exc)


def _retry_after(exc: openai.APIStatusError) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    headers = exc.response.headers
    try:
        if headers.get("retry-after-ms"):
            return max(float(headers["retry-after-ms"]) / 1000, 0.0)
        value = headers.get("retry-after")
        if not value:
            return None
        try:
            return max(float(value), 0.0)
        except ValueError:
            return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError, OverflowError):
        return None


def _connection_reason(exc: BaseException) -> str:
    """The root cause of a connection failure in a few words."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    innermost = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError) or "connection refused" in str(cause).lower():
            return "connection refused"
        if isinstance(cause, socket.gaierror) or "name or service not known" in str(cause).lower():
            return "host not found"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error ({_one_line(str(cause), 80)})"
        innermost = cause
        cause = cause.__cause__ or cause.__context__
    text = _one_line(str(innermost), 100)
    return text if text and text != "Connection error." else "connection failed"
