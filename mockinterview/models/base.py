"""The one model interface. ``stub``, ``openai`` and ``replay`` implement it and the
rest of the code cannot tell them apart.

A request carries both the rendered chat messages (what a real LLM reads) and the
structured ``task`` they were rendered from (what the deterministic stub reads), so
the pipeline - render, call, parse, validate - runs the same way for every model.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from mockinterview.domain.transcript import TokenUsage

# How structured output is asked for, most to least constrained:
#   json_schema         response_format {"type": "json_schema", ...} (OpenAI, vLLM, Ollama >= 0.5, LM Studio)
#   json_object_schema  response_format {"type": "json_object", "schema": ...} (llama-cpp-python's extension)
#   json_object         response_format {"type": "json_object"}, the schema in the system message
#   text                no response_format at all, the schema in the system message
#   stub                the offline stub, which answers from the request's task
StructuredMode = Literal["json_schema", "json_object_schema", "json_object", "text", "stub"]
STRUCTURED_MODES: tuple[StructuredMode, ...] = ("json_schema", "json_object_schema", "json_object", "text")


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    role: Literal["system", "user", "assistant"]
    content: str


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str  # "interviewer", "grade", "summary"
    messages: list[ChatMessage]
    # The structured inputs the messages were rendered from (prompt name, question id,
    # missing key points ...). The stub model answers from these.
    task: dict[str, Any] = Field(default_factory=dict)
    temperature: float = 0.0
    max_tokens: int | None = None
    # Generation stops at any of these (at most 4, as the OpenAI API allows). Left out
    # of dumps when empty, so the hashes of requests without stops do not change.
    stop: list[str] = Field(default_factory=list, max_length=4, exclude_if=lambda stops: not stops)
    # JSON schema for structured output (grading); None for free text.
    response_schema: dict[str, Any] | None = None
    # How the structured-output ladder asked for this attempt (see models/structured.py);
    # None before the ladder has chosen. Left out of dumps when None.
    structured_mode: StructuredMode | None = Field(default=None, exclude_if=lambda mode: mode is None)
    prompt_name: str = ""
    prompt_hash: str = ""
    rubric_version: str = ""

    def canonical_hash(self, model_name: str) -> str:
        """Replay key: a stable hash of everything that determines the reply."""
        payload = {"model": model_name, **self.model_dump(mode="json")}
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ChatResponse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    model: str
    usage: TokenUsage = Field(default_factory=TokenUsage)
    finish_reason: str | None = None
    latency_ms: float = 0.0
    # Structured output: the mode that produced the reply ("json_schema", "json_object_schema",
    # "json_object", "text", "stub"), or "repair", "re-ask", "invalid" (see models/structured.py)
    ladder_step: str | None = None

    @property
    def cut_off(self) -> bool:
        """The reply stopped at the token limit, not where the model meant to stop."""
        return self.finish_reason == "length"


ChunkCallback = Callable[[str], Awaitable[None] | None]


class ModelError(Exception):
    """A model call failed. ``message`` is one line a user can act on."""

    retryable: bool = False
    retry_after: float | None = None  # seconds the server asked us to wait (429/503)
    attempts: int = 1  # HTTP attempts made before giving up
    call_id: str | None = None  # the recorded ModelCall of the failed call

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        if retryable is not None:
            self.retryable = retryable


class ModelTimeout(ModelError):
    retryable = True


class RateLimited(ModelError):
    retryable = True


class ModelUnavailable(ModelError):  # connection refused, DNS failure, 5xx after retries
    retryable = True


class AuthenticationFailed(ModelError):  # 401/403: wrong or missing key
    pass


class UnknownModel(ModelError):  # 404 for the model name
    pass


class ContextTooLong(ModelError):
    # The server's context window in tokens, when its message says it (then the caller
    # can budget below it and try once more).
    window: int | None = None


class StreamBroken(ModelError):  # the stream ended before the reply was complete
    retryable = True


class Refused(ModelError):  # the model declined to answer
    pass


class InvalidOutput(ModelError):  # structured output stayed invalid after the ladder
    pass


class UnsupportedRequest(ModelError):
    """The server rejected the request's shape (HTTP 400/422)."""


class UnsupportedFormat(UnsupportedRequest):
    """The server rejected the structured-output format asked for (a 400/422, or a 500
    whose body names ``response_format``). The ladder steps down to the next mode at once
    and remembers the rejection for the endpoint; ``message`` is the server's own words."""


class ReplayMiss(ModelError):  # replay: no recorded call has this request hash
    pass


@dataclass(frozen=True)
class CallPolicy:
    """How the wrapper treats one endpoint's calls: retries with backoff on transient
    faults (honouring Retry-After) inside a bounded total time, and how many calls may be
    in flight at once."""

    max_retries: int = 0
    # One call, every retry and wait included; None: no clock at all (offline providers,
    # which answer at once - a timer per call would only cost time and memory).
    max_total_s: float | None = 600.0
    backoff_base_s: float = 0.5
    backoff_max_s: float = 20.0
    max_concurrency: int = 4


class StreamProgress:
    """How much of a streamed reply has already reached the caller: once text has been
    shown, a silent retry would show it twice, so the wrapper leaves that to the caller."""

    __slots__ = ("chars",)

    def __init__(self) -> None:
        self.chars = 0


@dataclass(frozen=True)
class EndpointInfo:
    """What a server says about itself (``/v1/models`` and friends); None where it is silent."""

    models: tuple[str, ...] = ()
    context_window: int | None = None


@runtime_checkable
class Provider(Protocol):
    """One backend. ``send`` makes one attempt - no retries, no recording: the
    ``Model`` wrapper does those for every provider alike."""

    name: str  # "stub", "openai:<model>", "replay": recorded with every call
    policy: CallPolicy
    # The structured-output modes to try, in order (see STRUCTURED_MODES); the stub and
    # replay answer structured requests as they are and list one mode of their own.
    structured_modes: tuple[str, ...]

    async def send(
        self, request: ChatRequest, on_chunk: ChunkCallback | None, progress: StreamProgress
    ) -> ChatResponse:
        """Answer ``request`` once, streaming to ``on_chunk`` if given. Raises ModelError."""
        ...

    async def describe(self) -> EndpointInfo:
        """What the endpoint says about itself; never raises (an empty info instead)."""
        ...

    def price_table(self) -> dict[str, Any] | None: ...

    async def aclose(self) -> None: ...
