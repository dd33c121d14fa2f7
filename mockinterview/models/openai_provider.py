"""The provider for any OpenAI-compatible endpoint, over the official ``openai`` SDK.

One attempt per ``send``: retries, recording and the structured-output ladder are the
``Model`` wrapper's. The SDK's own retries are off (``max_retries=0``) so ours are
bounded, counted and reported. Every SDK error is mapped to the ``ModelError`` family
with one line a user can act on - a server's own complaint included, with the API key
scrubbed from anything it echoes back. The SDK is imported only when a client is first
needed, so importing this module stays cheap.

Servers differ, and this adapts to each: which ``response_format`` they accept
(``structured_modes``; llama-cpp-python answers ``json_schema`` with a 500 and takes
``json_object`` + ``schema``), whether streams carry usage (when not, tokens are counted
locally), their context size (read from ``/v1/models`` or ``/props`` where given, or
from a context-length error), and whether they check the model name (``describe``
lists the served models so a typo is reported).
"""

from __future__ import annotations

import inspect
import re
import socket
import ssl
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from mockinterview.domain.transcript import TokenUsage
from mockinterview.models import tokens
from mockinterview.models.base import (
    STRUCTURED_MODES,
    AuthenticationFailed,
    CallPolicy,
    ChatRequest,
    ChatResponse,
    ChunkCallback,
    ContextTooLong,
    EndpointInfo,
    ModelError,
    ModelTimeout,
    ModelUnavailable,
    RateLimited,
    Refused,
    StreamBroken,
    StreamProgress,
    UnknownModel,
    UnsupportedFormat,
    UnsupportedRequest,
)
from mockinterview.storage.config import REDACTED, redact_key

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
    "exceed context",
    "exceeds the context",
)
# "maximum context length is 8192 tokens", "context window of 4096", "n_ctx = 2048"
_WINDOW_RE = re.compile(
    r"(?:context(?: length| window| size)?|n_ctx)\D{0,20}?(\d{3,7})\s*(?:tokens)?", re.IGNORECASE
)
_FORMAT_HINTS = ("response_format", "json_schema", "json_object", "response format")
_OTHER_PARAMS = ("max_tokens", "max_completion_tokens", "temperature", "top_p", "logit_bias", "stop sequence")
_PLACEHOLDER_KEY = "no-key"
DESCRIBE_TIMEOUT_S = 10.0  # /v1/models and /props are answered at once by a live server  # local servers often need no key, but the SDK insists on one


class OpenAIProvider:
    """``Provider`` for ``openai:NAME``. ``settings`` is the user's ``Settings`` (config
    file + environment); the endpoint's resolved values come from ``settings.endpoint()``."""

    def __init__(self, name: str, settings: Any) -> None:
        self.model_id = name.removeprefix("openai:").strip()
        if not self.model_id:
            raise ModelError("no model name: use --model openai:NAME")
        self.name = f"openai:{self.model_id}"
        self.settings = settings
        self.endpoint = settings.endpoint()
        cfg = self.endpoint
        self.policy = CallPolicy(
            max_retries=cfg.max_retries,
            max_total_s=cfg.max_total_s,
            backoff_base_s=cfg.backoff_base_s,
            backoff_max_s=cfg.backoff_max_s,
            max_concurrency=cfg.max_concurrency,
        )
        if cfg.structured_output == "auto":
            self.structured_modes: tuple[str, ...] = tuple(m for m in STRUCTURED_MODES if m != "stub")
        else:
            self.structured_modes = (cfg.structured_output,)
        self.context_budget: int = cfg.context_budget_tokens
        self._client: openai.AsyncOpenAI | None = None

    # -- plumbing ------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self.settings.base_url

    def _has_key(self) -> bool:
        return self.settings.api_key is not None

    def price_table(self) -> dict[str, tokens.ModelPrice]:
        prices = self.settings.prices  # [prices."MODEL"] in config.toml
        return {name: tokens.ModelPrice(p.input_per_mtok, p.output_per_mtok) for name, p in prices.items()}

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
                timeout=self.endpoint.timeout_s,
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

    async def describe(self) -> EndpointInfo:
        """``/v1/models`` (the served names, and a context size where the server gives
        one: vLLM's ``max_model_len``, LM Studio's ``max_context_length``, llama.cpp's
        ``meta.n_ctx_train``), then llama.cpp's ``/props`` (``n_ctx``). Never raises: a
        server without these routes is simply not described."""
        window = self.endpoint.context_window
        try:
            client = self.client()
        except ModelError:
            return EndpointInfo(context_window=window)
        if not self.endpoint.check_model:
            return EndpointInfo(context_window=window)
        # A quick question: a hung server must not hold the session for a whole request timeout.
        client = client.with_options(timeout=min(self.endpoint.timeout_s, DESCRIBE_TIMEOUT_S))
        models: list[str] = []
        try:
            payload = await client.get("/models", cast_to=object)  # raw JSON: servers add their own fields
            for entry in payload.get("data", []) if isinstance(payload, dict) else []:
                if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                    continue
                models.append(entry["id"])
                window = window or _window_from(entry)
        except Exception:  # noqa: BLE001 - a server without /v1/models is not an error
            return EndpointInfo(context_window=window)
        if window is None:
            window = await self._props_window(client)
        return EndpointInfo(models=tuple(models), context_window=window)

    async def _props_window(self, client) -> int | None:
        root = self.base_url.removesuffix("/v1")
        try:
            payload = await client.get(f"{root}/props", cast_to=object)
            settings = payload.get("default_generation_settings", {}) if isinstance(payload, dict) else {}
            value = settings.get("n_ctx")
            return int(value) if isinstance(value, int) and value > 0 else None
        except Exception:  # noqa: BLE001 - only llama.cpp's own server has /props
            return None

    def _params(self, request: ChatRequest, stream: bool) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model_id,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        }
        reasoning = tokens.normalize_model_name(self.model_id).startswith(_REASONING_PREFIXES)
        if not reasoning:
            params["temperature"] = request.temperature
        limit = request.max_tokens
        if self.endpoint.max_output_tokens:
            limit = min(limit or self.endpoint.max_output_tokens, self.endpoint.max_output_tokens)
        if limit:
            params["max_completion_tokens" if reasoning else "max_tokens"] = limit
        if request.stop:
            params["stop"] = list(request.stop)
        if request.response_schema is not None:
            mode = request.structured_mode or "json_schema"
            if mode == "json_schema":
                name = re.sub(r"[^A-Za-z0-9_-]", "_", request.purpose or "output")[:64]
                params["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": name, "schema": request.response_schema, "strict": False},
                }
            elif mode == "json_object_schema":
                params["response_format"] = {"type": "json_object", "schema": request.response_schema}
            elif mode == "json_object":
                params["response_format"] = {"type": "json_object"}
        if stream:
            params["stream"] = True
            params["stream_options"] = {"include_usage": True}
        return params

    # -- one attempt -----------------------------------------------------------------
    async def send(
        self, request: ChatRequest, on_chunk: ChunkCallback | None, progress: StreamProgress
    ) -> ChatResponse:
        client = self.client()
        stream = on_chunk is not None
        params = self._params(request, stream)
        try:
            result = await client.chat.completions.create(**params)
        except Exception as exc:  # noqa: BLE001 - every SDK failure becomes one ModelError
            raise self._classify(exc, request) from None
        if stream:
            raw = await self._read_stream(result, on_chunk, progress)
        else:
            raw = self._read_completion(result)
        # Counting tokens locally can take a moment (tables load once).
        return ChatResponse(
            text=raw.text,
            model=self.name,
            usage=self._usage(raw.usage, request, raw.text),
            finish_reason=raw.finish,
        )

    def _read_completion(self, completion: Any) -> _Raw:
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

    async def _read_stream(self, stream: Any, on_chunk: ChunkCallback, streamed: StreamProgress) -> _Raw:
        parts: list[str] = []
        refusal: list[str] = []
        finish: str | None = None
        usage_seen = None
        iterator = stream.__aiter__()
        shield = _KeyShield(self._key())
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
                        shown = shield.feed(delta.content)
                        if shown:
                            result = on_chunk(shown)
                            if inspect.isawaitable(result):
                                await result
                    if choice.finish_reason:
                        finish = choice.finish_reason
        finally:
            await stream.close()
        rest = shield.flush()
        if rest:
            result = on_chunk(rest)
            if inspect.isawaitable(result):
                await result
        if refusal:
            raise Refused(f"the model declined: {_one_line(self.settings.redact(''.join(refusal)), 120)}")
        if finish == "content_filter":
            raise Refused("the reply was blocked by the provider's content filter")
        if finish is None:
            raise StreamBroken(f"the reply stream was cut after {streamed.chars} characters")
        return self._raw("".join(parts), usage_seen, finish)

    def _key(self) -> str | None:
        return self.settings.api_key.get_secret_value() if getattr(self.settings, "api_key", None) else None

    def _raw(self, text: str, usage: Any, finish: str | None) -> _Raw:
        # An empty reply is the caller's to judge: with a stop sequence it can be meant.
        # A server that echoes the key in a normal reply: the key never goes further (shown,
        # saved, sent back in the next request), whatever its length.
        return _Raw(redact_key(text, REDACTED, self._key()), usage, finish)

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
                f"the reply stream stalled after {chars} characters (nothing for {self.endpoint.timeout_s:g} s)"
            )
        return StreamBroken(f"the reply stream was cut after {chars} characters")

    def _classify(self, exc: BaseException, request: ChatRequest | None = None) -> ModelError:
        """One SDK exception -> one ModelError with a line a user can act on."""
        import openai

        base = self.base_url
        if isinstance(exc, ModelError):
            return exc
        if isinstance(exc, openai.APITimeoutError):
            return ModelTimeout(f"no reply from {base} within {self.endpoint.timeout_s:g} s")
        if isinstance(exc, openai.APIConnectionError):
            return ModelUnavailable(f"cannot reach {base}: {_connection_reason(exc)}")
        if isinstance(exc, openai.APIStatusError):
            return self._classify_status(exc, request)
        if isinstance(exc, openai.OpenAIError):
            return ModelError(f"the OpenAI client failed: {_one_line(self.settings.redact(str(exc)), 160)}")
        return ModelError(
            f"unexpected error talking to {base}: {type(exc).__name__}: {_one_line(str(exc), 120)}"
        )

    def _classify_status(self, exc: openai.APIStatusError, request: ChatRequest | None = None) -> ModelError:
        base, status = self.base_url, exc.status_code
        full = self.settings.redact(_error_message(exc))
        detail = _one_line(_first_reason(full), 200)
        code = (exc.code or "").lower()
        asked_format = (
            request is not None
            and request.response_schema is not None
            and (request.structured_mode not in (None, "text"))
        )
        low = full.lower()
        names_format = any(h in low for h in _FORMAT_HINTS)
        # A 400/422 that names another parameter and not the format ("max_tokens is too
        # large") is not the format's fault: stepping down would only forget a good mode.
        names_other = any(p in low for p in _OTHER_PARAMS) and not names_format
        if (
            asked_format
            and ((status in (400, 422) and not names_other) or (status >= 500 and names_format))
            and not any(hint in code or hint in low for hint in _CONTEXT_HINTS)
        ):
            # The server cannot do this response format: the ladder steps down at once.
            return UnsupportedFormat(
                f"{base} rejected response_format {request.structured_mode} (HTTP {status}): {detail}"
            )
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
        if any(hint in code or hint in full.lower() for hint in _CONTEXT_HINTS):
            error = ContextTooLong(f"the conversation exceeds the model's context window ({detail})")
            error.window = _window_in(full)
            return error
        if status in (408, 409) or status >= 500:
            said = f": {detail}" if detail and "had an error while processing" not in detail else ""
            error = ModelUnavailable(f"{base} kept failing (HTTP {status}){said}")
            error.retry_after = _retry_after(exc)
            return error
        if status in (400, 413, 415, 422):
            return UnsupportedRequest(f"{base} rejected the request (HTTP {status}): {detail}")
        return ModelError(f"{base} answered HTTP {status}: {detail}")


class _KeyShield:
    """Streamed text with the API key redacted before it is shown: a key split over chunks
    is caught by holding back the end of a chunk while it could be the start of the key
    (other chunks pass as they come)."""

    def __init__(self, key: str | None) -> None:
        self.key = key
        self.pending = ""

    def feed(self, chunk: str) -> str:
        if not self.key:
            return chunk
        text = redact_key(self.pending + chunk, REDACTED, self.key)
        hold = next(
            (n for n in range(min(len(self.key) - 1, len(text)), 0, -1) if self.key.startswith(text[-n:])), 0
        )
        cut = len(text) - hold
        self.pending = text[cut:]
        return text[:cut]

    def flush(self) -> str:
        rest, self.pending = self.pending, ""
        return rest


class _Raw:
    """A reply as received, before token counting."""

    __slots__ = ("finish", "text", "usage")

    def __init__(self, text: str, usage: Any, finish: str | None) -> None:
        self.text = text
        self.usage = usage  # the server's usage object, or None
        self.finish = finish


def _window_from(entry: dict[str, Any]) -> int | None:
    """A context size named in one ``/v1/models`` entry, if any."""
    meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
    for value in (
        entry.get("max_model_len"),  # vLLM
        entry.get("max_context_length"),  # LM Studio
        entry.get("context_length"),  # OpenRouter and others
        meta.get("n_ctx"),
        meta.get("n_ctx_train"),  # llama.cpp's server (the trained size: an upper bound)
    ):
        if isinstance(value, int) and value >= 512:
            return value
    return None


def _window_in(message: str) -> int | None:
    """The context size a context-length error names ("maximum context length is 8192 tokens")."""
    match = _WINDOW_RE.search(message)
    if not match:
        return None
    value = int(match.group(1))
    return value if value >= 256 else None


def _first_reason(message: str) -> str:
    """The useful part of a server's error: FastAPI/pydantic validation errors come as a
    repr of dicts and a stack trace; their 'msg' is what the user needs."""
    found = re.search(r"'msg':\s*(\"[^\"]*\"|'[^']*')", message)
    if found:
        loc = re.search(r"'loc':\s*\(([^)]*)\)", message)
        where = ".".join(x.strip().strip("'\"") for x in loc.group(1).split(",") if x.strip()) if loc else ""
        text = found.group(1)[1:-1]
        return f"{where}: {text}" if where else text
    return message.split("\n\n  File ")[0]


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
