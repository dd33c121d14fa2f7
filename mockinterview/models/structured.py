"""Structured output: the ladder that gets one valid JSON object out of any model.

The provider lists the modes it can ask in (``Provider.structured_modes``, most
constrained first; ``base.STRUCTURED_MODES`` explains each). The ladder:

1. asks in the first mode the endpoint has not rejected. A rejection of the format
   itself (``UnsupportedFormat``: a 400/422, or a 500 whose body names
   ``response_format``) steps down to the next mode *at once* - no retries - and is
   remembered by the ``Model`` for as long as it lives, so a server that answers
   ``json_schema`` with a 500 costs one such request per session, not one per grade;
2. validates the reply (``validate`` raises ``InvalidOutput`` with a one-line reason);
3. repairs it locally - code fences, prose around the object, trailing commas - at no
   cost; a reply cut off mid-object is never "completed";
4. asks once more (``re-ask``), showing the model its reply and the validation error -
   unless the reply was cut off well below the request's own ``max_tokens``: then a
   limit outside the request (the endpoint's ``max_output_tokens``, the server's cap)
   stopped it, a re-ask would stop at the same place, and the ladder ends there.

Every attempt is a recorded call of its own (``Model.complete``), so a replay takes the
same steps from the recording. The outcome is a valid reply, or ``step == "invalid"``
with the reason - the server's own words when it gave any - and never an exception:
callers (the grader) then fall back to the offline grade instead of stalling.

For modes without server-side enforcement (``json_object``, ``text``) the schema is put
into the *first* system message: strict chat templates (Gemma, Llama, Mistral) accept
a system message only at the start.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockinterview.domain.transcript import TokenUsage
from mockinterview.models.base import (
    ChatMessage,
    ChatRequest,
    ChatResponse,
    InvalidOutput,
    ModelError,
    UnsupportedFormat,
)

if TYPE_CHECKING:
    from mockinterview.models.model import Model

_REASK_SHOWN_CHARS = 2000  # how much of the bad reply the re-ask quotes back

REASK_TEMPLATE = (
    "Your reply could not be used: {error}. Reply again with only one JSON object that matches "
    "the required schema - no prose, no code fences. Keep quotes short so the object is complete."
)
SCHEMA_NOTE = (
    "Reply with one JSON object only - no prose, no code fences. It must match this JSON schema:\n{schema}"
)

Validator = Callable[[str], Any]  # raises InvalidOutput with a one-line reason


# ---------------------------------------------------------------------------------
# Local repair

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)\s*```", re.DOTALL)


def fenced_body(text: str, *, whole: bool = False) -> str | None:
    """The body of a Markdown code fence (```json ... ```) in a model's reply, or None.
    ``whole``: only when the reply is nothing but that one fence."""
    found = _FENCE.fullmatch(text.strip()) if whole else _FENCE.search(text)
    return found.group(1) if found else None
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_STRING_LITERAL = re.compile(r'("(?:\\.|[^"\\])*")')


def first_json_object(text: str) -> str | None:
    """The first balanced ``{...}`` in ``text`` (braces inside strings ignored)."""
    start = text.find("{")
    while start != -1:
        depth, in_string, escaped = 0, False, False
        for i in range(start, len(text)):
            ch = text[i]
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return text[start : i + 1]
        start = text.find("{", start + 1)  # unbalanced from here: try a later brace
    return None


def _strip_trailing_commas(blob: str) -> str:
    # Only outside string literals, so a quote containing ",]" is left alone.
    parts = _STRING_LITERAL.split(blob)
    return "".join(p if i % 2 else _TRAILING_COMMA.sub(r"\1", p) for i, p in enumerate(parts))


def repair_json(text: str) -> str | None:
    """A locally fixed version of a nearly-JSON reply, or None when there is nothing
    to fix. It never invents content: a reply cut off mid-object stays broken."""
    fenced = fenced_body(text)
    blob = first_json_object(fenced if fenced is not None else text)
    if blob is None:
        return None
    fixed = _strip_trailing_commas(blob)
    return fixed if fixed != text else None


# ---------------------------------------------------------------------------------
# Requests per mode


def request_for_mode(request: ChatRequest, mode: str) -> ChatRequest:
    update: dict[str, Any] = {"structured_mode": mode}
    if mode in ("json_object", "text"):
        schema = json.dumps(request.response_schema, separators=(",", ":"), sort_keys=True)
        note = SCHEMA_NOTE.format(schema=schema)
        messages = list(request.messages)
        if messages and messages[0].role == "system":
            messages[0] = ChatMessage(role="system", content=f"{messages[0].content}\n\n{note}")
        else:
            messages.insert(0, ChatMessage(role="system", content=note))
        update["messages"] = messages
    return request.model_copy(update=update)


def _reask_request(request: ChatRequest, reply: str, error: str) -> ChatRequest:
    shown = reply if len(reply) <= _REASK_SHOWN_CHARS else reply[:_REASK_SHOWN_CHARS] + " [...]"
    messages = [
        *request.messages,
        ChatMessage(role="assistant", content=shown or "(empty reply)"),
        ChatMessage(role="user", content=REASK_TEMPLATE.format(error=error)),
    ]
    return request.model_copy(update={"messages": messages})


# ---------------------------------------------------------------------------------
# The ladder


@dataclass
class LadderOutcome:
    response: ChatResponse | None  # the accepted reply (text = the valid JSON), or the last one
    value: Any = None  # what ``validate`` returned for the accepted reply
    step: str = "invalid"  # the mode that produced it, "repair", "re-ask" or "invalid"
    reason: str | None = None  # why invalid: the server's own words when it gave any
    error: ModelError | None = None  # the fault that ended the ladder, if one did
    call_ids: list[str] = field(default_factory=list)
    usage: TokenUsage = field(default_factory=TokenUsage)
    latency_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.step != "invalid"


def _check(response: ChatResponse, validate: Validator) -> tuple[str | None, Any, bool, str]:
    """(valid text, value, repaired?, error) for one reply."""
    try:
        return response.text, validate(response.text), False, ""
    except InvalidOutput as exc:
        error = exc.message
    repaired = repair_json(response.text)
    if repaired is not None:
        try:
            return repaired, validate(repaired), True, ""
        except InvalidOutput as exc:
            error = exc.message
    if response.cut_off:
        error = f"the reply was cut off at the token limit ({error})"
    return None, None, False, error


CAPPED_SHARE = 0.9  # a cut-off reply this far below the request's max_tokens was capped by something else


def capped_below_request(response: ChatResponse, request: ChatRequest) -> str | None:
    """Why a cut-off reply cannot be fixed by asking again, or None. Decided from the
    request and the reply alone (no provider settings), so a replay decides the same."""
    asked, got = request.max_tokens, response.usage.completion_tokens
    if not (response.cut_off and asked and 0 < got < asked * CAPPED_SHARE):
        return None
    return (
        f"it stopped after {got} of the {asked} tokens this request allows - a limit below that "
        "(max_output_tokens for this endpoint, or the server's own) stops every attempt"
    )


async def run_ladder(model: Model, request: ChatRequest, validate: Validator) -> LadderOutcome:
    started = time.monotonic()
    outcome = LadderOutcome(response=None)

    def add(response: ChatResponse | None, call_id: str | None) -> None:
        if call_id:
            outcome.call_ids.append(call_id)
        if response is not None:
            outcome.usage = TokenUsage(
                prompt_tokens=outcome.usage.prompt_tokens + response.usage.prompt_tokens,
                completion_tokens=outcome.usage.completion_tokens + response.usage.completion_tokens,
            )

    def done(step: str, response: ChatResponse | None, *, text=None, value=None, reason=None, error=None):
        outcome.step = step
        outcome.value = value
        outcome.reason = reason
        outcome.error = error
        outcome.latency_ms = round((time.monotonic() - started) * 1000, 1)
        if response is not None:
            outcome.response = response.model_copy(
                update={
                    "text": text if text is not None else response.text,
                    "ladder_step": step,
                    "usage": outcome.usage,
                    "latency_ms": outcome.latency_ms,
                }
            )
        return outcome

    response: ChatResponse | None = None
    try:
        rejected: list[str] = []
        for mode in model.structured_modes():
            attempt = request_for_mode(request, mode)
            try:
                response, record = await model.complete_recorded(attempt)
            except UnsupportedFormat as exc:
                add(None, exc.call_id)
                if getattr(exc, "remember", True):
                    model.remember_rejected(mode, exc.message)
                rejected.append(exc.message)
                continue
            add(response, record.id)
            break
        else:
            reason = rejected[-1] if rejected else "no structured-output mode left to try"
            return done("invalid", None, reason=f"the server accepts no structured-output format: {reason}")

        text, value, repaired, error = _check(response, validate)
        if text is not None:
            return done("repair" if repaired else mode, response, text=text, value=value)
        capped = capped_below_request(response, attempt)
        if capped is not None:
            # Something below our own limit stopped the reply (a max_output_tokens set for
            # the endpoint, the server's own cap, a full context): a re-ask would stop there too.
            return done("invalid", response, reason=f"{error}: {capped}")

        reask = _reask_request(attempt, response.text, error)
        response, record = await model.complete_recorded(reask, label="re-ask")
        add(response, record.id)
        text, value, _, error = _check(response, validate)
        if text is not None:
            return done("re-ask", response, text=text, value=value)
        return done("invalid", response, reason=f"output stayed invalid after a re-ask: {error}")
    except ModelError as exc:
        # Timeouts, refusals, a context overflow, a dead server: the caller grades offline
        # with this message instead of stalling the interview.
        add(None, exc.call_id)
        return done("invalid", response, reason=exc.message, error=exc)
