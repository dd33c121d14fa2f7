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
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from mockinterview.domain.transcript import TokenUsage


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
    # JSON schema for structured output (grading); None for free text.
    response_schema: dict[str, Any] | None = None
    # How to ask for structured output: None means a JSON-schema response format when
    # response_schema is set; "json_object" is the grading ladder's JSON-mode step.
    # Left out of dumps when None, so the hashes of ordinary requests do not change.
    structured_mode: Literal["json_schema", "json_object"] | None = Field(
        default=None, exclude_if=lambda mode: mode is None
    )
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
    # Structured output: "json_schema", "json_object", "repair", "re-ask", "stub", "invalid"
    ladder_step: str | None = None


ChunkCallback = Callable[[str], Awaitable[None] | None]


class ModelError(Exception):
    """A model call failed. ``message`` is one line a user can act on."""

    retryable: bool = False

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
    pass


class StreamBroken(ModelError):  # the stream ended before the reply was complete
    retryable = True


class Refused(ModelError):  # the model declined to answer
    pass


class InvalidOutput(ModelError):  # structured output stayed invalid after the ladder
    pass


class ReplayMiss(ModelError):  # replay: no recorded call has this request hash
    pass


@runtime_checkable
class Model(Protocol):
    """What every model implementation provides."""

    name: str  # "stub", "openai:<model>", "replay"

    async def complete(self, request: ChatRequest, on_chunk: ChunkCallback | None = None) -> ChatResponse:
        """Answer one request. If ``on_chunk`` is given the reply is streamed to it
        piece by piece before the full response is returned. Raises ModelError."""
        ...

    async def aclose(self) -> None: ...
