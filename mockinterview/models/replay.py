"""Answer requests from the model calls recorded in a transcript.

Each recorded call is keyed by ``ChatRequest.canonical_hash(model)`` of the model
that originally answered it. A request nobody recorded is an error (``ReplayMiss``)
that names the first difference from the closest recorded request - never a silent
fallback - and ``unused()`` lists the recorded calls the replay never needed.

A recorded *failure* is replayed as the same fault (its ``error_type``), so a grade
that fell back to the offline grader, or a ladder that stepped down because the
server rejected a format, takes the same path again and the replay is exact.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable
from typing import Any

from mockinterview.domain.transcript import ModelCall, Transcript
from mockinterview.models import base
from mockinterview.models.base import (
    STRUCTURED_MODES,
    CallPolicy,
    ChatRequest,
    ChatResponse,
    ChunkCallback,
    EndpointInfo,
    ModelError,
    ReplayMiss,
    StreamProgress,
    UnsupportedFormat,
)

_SHOW = 60


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= _SHOW else text[: _SHOW - 3] + "..."


def first_difference(recorded: Any, current: Any, path: str = "") -> str | None:
    """A one-line description of where two JSON values first differ, or None."""
    if isinstance(recorded, dict) and isinstance(current, dict):
        for key in sorted(set(recorded) | set(current)):
            where = f"{path}.{key}" if path else str(key)
            if key not in recorded:
                return f"{where}: not in the recorded request"
            if key not in current:
                return f"{where}: missing from this request"
            diff = first_difference(recorded[key], current[key], where)
            if diff:
                return diff
        return None
    if isinstance(recorded, list) and isinstance(current, list):
        for i, (a, b) in enumerate(zip(recorded, current, strict=False)):
            diff = first_difference(a, b, f"{path}[{i}]")
            if diff:
                return diff
        if len(recorded) != len(current):
            return f"{path}: {len(recorded)} items recorded, {len(current)} now"
        return None
    if recorded != current:
        if isinstance(recorded, str) and isinstance(current, str):
            i = next(
                (k for k, (a, b) in enumerate(zip(recorded, current, strict=False)) if a != b),
                min(len(recorded), len(current)),
            )
            return f"{path}: differs at character {i}: recorded {_short(recorded[i:])}, now {_short(current[i:])}"
        return f"{path}: recorded {_short(recorded)}, now {_short(current)}"
    return None


# Fields that name the *cause* of a drift, checked before the rendered messages (whose
# difference is only the symptom): a changed template, rubric or answer.
_CAUSES = (
    ("prompt_name",),
    ("prompt_hash",),
    ("rubric_version",),
    ("task", "pack_hash"),
    ("task", "question_id"),
    ("task", "answer"),
    ("task", "step"),
)


def explain_difference(recorded: dict[str, Any], current: dict[str, Any]) -> str | None:
    for path in _CAUSES:
        a: Any = recorded
        b: Any = current
        for key in path:
            a = a.get(key) if isinstance(a, dict) else None
            b = b.get(key) if isinstance(b, dict) else None
        if a != b:
            return first_difference(a, b, ".".join(path))
    return first_difference(recorded, current)


def _similarity(recorded: dict[str, Any], current: dict[str, Any]) -> int:
    """How many top-level and task fields agree: picks the 'closest' recorded request."""
    score = sum(1 for k in current if recorded.get(k) == current[k])
    r_task, c_task = recorded.get("task") or {}, current.get("task") or {}
    return score * 100 + sum(1 for k in c_task if r_task.get(k) == c_task[k])


def _error_class(name: str | None) -> type[ModelError]:
    found = getattr(base, name or "", None)
    return found if isinstance(found, type) and issubclass(found, ModelError) else ModelError


class ReplayProvider:
    name = "replay"
    policy = CallPolicy(max_retries=0, max_total_s=None, max_concurrency=64)
    context_budget = 6000

    def __init__(self, calls: Iterable[ModelCall]) -> None:
        self._calls = [c for c in calls if c.response is not None or c.error is not None]
        self._by_hash: dict[str, list[int]] = {}
        for i, call in enumerate(self._calls):
            self._by_hash.setdefault(call.request_hash, []).append(i)
        self._models = sorted({c.model for c in self._calls})
        self._used: set[int] = set()
        # The ladder must ask in the modes the recording used, in the same order.
        recorded = {str((c.request or {}).get("structured_mode")) for c in self._calls}
        self.structured_modes = tuple(m for m in ("stub", *STRUCTURED_MODES) if m in recorded) or ("stub",)

    @classmethod
    def from_transcript(cls, transcript: Transcript) -> ReplayProvider:
        return cls(transcript.model_calls)

    async def describe(self) -> EndpointInfo:
        return EndpointInfo()

    def price_table(self) -> None:
        return None

    def lookup(self, request: ChatRequest) -> ModelCall:
        for model in self._models:
            indices = self._by_hash.get(request.canonical_hash(model))
            if not indices:
                continue
            # Each recording answers once; a repeat of an identical request reuses the last.
            fresh = [i for i in indices if i not in self._used]
            chosen = fresh[0] if fresh else indices[-1]
            self._used.add(chosen)
            return self._calls[chosen]
        if request.structured_mode is not None and self._recorded_in_another_mode(request):
            # This answer was graded in another mode (a grader changed on resume): step on.
            error = UnsupportedFormat(f"replay: no {request.structured_mode} call recorded for this request")
            error.remember = False
            raise error
        raise ReplayMiss(self._explain_miss(request))

    def _recorded_in_another_mode(self, request: ChatRequest) -> bool:
        for mode in self.structured_modes:
            if mode == request.structured_mode:
                continue
            other = request.model_copy(update={"structured_mode": mode})
            if any(other.canonical_hash(model) in self._by_hash for model in self._models):
                return True
        return False

    def _explain_miss(self, request: ChatRequest) -> str:
        current = request.model_dump(mode="json")
        same_purpose = [c for c in self._calls if c.request.get("purpose") == request.purpose] or self._calls
        if not same_purpose:
            return (
                f"replay: no recorded {request.purpose} call to answer this request (the transcript has none)"
            )
        closest = max(same_purpose, key=lambda c: _similarity(c.request, current))
        diff = explain_difference(closest.request, current) or "model name differs"
        return f"replay: no recorded call matches this {request.purpose} request; closest is {closest.id}, first difference: {diff}"

    async def send(
        self, request: ChatRequest, on_chunk: ChunkCallback | None, progress: StreamProgress
    ) -> ChatResponse:
        call = self.lookup(request)
        if call.response is None:
            raise _error_class(call.error_type)(call.error or "replayed failure", retryable=False)
        response = ChatResponse.model_validate(call.response)
        if on_chunk is not None and response.text:
            progress.chars += len(response.text)
            result = on_chunk(response.text)
            if inspect.isawaitable(result):
                await result
        return response

    def unused(self, purpose: str | None = None) -> list[ModelCall]:
        return [
            c
            for i, c in enumerate(self._calls)
            if i not in self._used and (purpose is None or c.purpose == purpose)
        ]

    async def aclose(self) -> None:
        return None
