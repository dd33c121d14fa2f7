"""Structured output from a model: the ladder, with the offline grader as the net.

The ladder, in order, stopping at the first reply that validates:

1. ``json_schema``: ask with the JSON schema as the response format. A server that
   rejects that format (HTTP 400/422) is asked again in
2. ``json_object``: JSON mode, with the schema spelled out in a system message.
3. ``repair``: fix the reply locally - code fences, prose around the object,
   trailing commas - at no cost. A reply cut off mid-object is never "completed".
4. ``re-ask``: one more call that shows the model its reply and the validation error.

``OpenAIModel.complete`` runs the ladder for every request with a ``response_schema``,
so the engine, replay and batch grading see one call whose ``ChatResponse`` holds the
accepted (possibly repaired) JSON and ``ladder_step`` naming the step that produced
it - or ``"invalid"`` when nothing validated (also when the model refused, or the
answer does not fit its context window). Callers then grade the answer offline,
flagged ``status="fallback"``, never a zero: ``ModelGrader`` does exactly that for
any model, with a concurrency limit. The checklist schema and its parsing live in
``mockinterview.conversation`` (``GradeChecklist``, ``parse_checklist``, ``parse_grade``).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mockinterview.domain.grade import Grade
from mockinterview.domain.pack import Question, RolePack
from mockinterview.domain.transcript import TokenUsage
from mockinterview.models.base import (
    ChatMessage,
    ChatRequest,
    ChatResponse,
    ContextTooLong,
    InvalidOutput,
    Model,
    ModelError,
    Refused,
)

DEFAULT_CONCURRENCY = 4
_REASK_SHOWN_CHARS = 4000  # how much of the bad reply the re-ask quotes back

REASK_TEMPLATE = (
    "Your reply could not be used: {error}. Reply again with only one JSON object that matches "
    "the required schema - no prose, no code fences. Keep evidence quotes short so the object is complete."
)
JSON_MODE_TEMPLATE = "Reply with one JSON object only. It must match this JSON schema:\n{schema}"

Validator = Callable[[str], Any]  # raises InvalidOutput with a one-line reason
Send = Callable[[ChatRequest], Awaitable[ChatResponse]]


# ---------------------------------------------------------------------------------
# Validation and local repair


def _generic_validator(schema: dict[str, Any] | None) -> Validator:
    """For schemas we have no pydantic model for: a JSON object with the required keys."""
    required = list((schema or {}).get("required", []))

    def validate(text: str) -> dict[str, Any]:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise InvalidOutput(f"reply is not valid JSON ({exc})".splitlines()[0]) from None
        if not isinstance(data, dict):
            raise InvalidOutput(f"reply is JSON but not an object ({type(data).__name__})")
        missing = [key for key in required if key not in data]
        if missing:
            raise InvalidOutput(f"reply lacks required field {missing[0]!r}")
        return data

    return validate


def validator_for(request: ChatRequest) -> Validator:
    """The pydantic checklist for grading requests; a generic object check otherwise."""
    if request.purpose == "grade":
        from mockinterview.conversation import parse_checklist

        return parse_checklist
    return _generic_validator(request.response_schema)


_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
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
    fenced = _FENCE.search(text)
    blob = first_json_object(fenced.group(1) if fenced else text)
    if blob is None:
        return None
    fixed = _strip_trailing_commas(blob)
    return fixed if fixed != text else None


# ---------------------------------------------------------------------------------
# The ladder


@dataclass
class LadderAttempt:
    step: str  # "json_schema", "json_object" or "re-ask"
    request_hash: str
    response: ChatResponse | None = None
    error: str | None = None  # why this attempt did not produce the result


@dataclass
class LadderOutcome:
    response: ChatResponse  # the accepted reply (ladder_step set), or the last one ("invalid")
    attempts: list[LadderAttempt] = field(default_factory=list)
    reason: str | None = None  # why it is invalid

    @property
    def step(self) -> str:
        return self.response.ladder_step or "invalid"


def _json_mode_request(request: ChatRequest) -> ChatRequest:
    schema = json.dumps(request.response_schema, separators=(",", ":"))
    note = ChatMessage(role="system", content=JSON_MODE_TEMPLATE.format(schema=schema))
    return request.model_copy(
        update={"structured_mode": "json_object", "messages": [*request.messages, note]}
    )


def _reask_request(request: ChatRequest, reply: str, error: str) -> ChatRequest:
    shown = reply if len(reply) <= _REASK_SHOWN_CHARS else reply[:_REASK_SHOWN_CHARS] + " [...]"
    messages = [
        *request.messages,
        ChatMessage(role="assistant", content=shown),
        ChatMessage(role="user", content=REASK_TEMPLATE.format(error=error)),
    ]
    return request.model_copy(update={"messages": messages})


def _check(response: ChatResponse, validate: Validator) -> tuple[str | None, bool, str]:
    """(valid text, repaired?, error) for one reply."""
    try:
        validate(response.text)
        return response.text, False, ""
    except InvalidOutput as exc:
        error = exc.message
    repaired = repair_json(response.text)
    if repaired is not None:
        try:
            validate(repaired)
            return repaired, True, ""
        except InvalidOutput as exc:
            error = exc.message
    if response.finish_reason == "length":
        error = f"the reply was cut off at the token limit ({error})"
    return None, False, error


def _total_usage(attempts: list[LadderAttempt]) -> TokenUsage:
    return TokenUsage(
        prompt_tokens=sum(a.response.usage.prompt_tokens for a in attempts if a.response),
        completion_tokens=sum(a.response.usage.completion_tokens for a in attempts if a.response),
    )


async def run_ladder(
    send: Send, request: ChatRequest, validate: Validator | None = None, *, model_name: str = ""
) -> LadderOutcome:
    """Run the structured-output ladder for ``request`` through ``send`` (one raw model
    call). Transport faults (timeouts, rate limits, auth ...) propagate as ModelError;
    output faults end in an outcome with ``ladder_step="invalid"``."""
    from mockinterview.models.openai_model import UnsupportedRequest  # this module imports no SDK

    validate = validate or validator_for(request)
    started = time.monotonic()
    attempts: list[LadderAttempt] = []

    async def call(step: str, req: ChatRequest) -> ChatResponse:
        attempt = LadderAttempt(step=step, request_hash=req.canonical_hash(model_name))
        attempts.append(attempt)
        try:
            attempt.response = await send(req)
        except ModelError as exc:
            attempt.error = exc.message
            raise
        return attempt.response

    def finish(
        response: ChatResponse, text: str | None, step: str, reason: str | None = None
    ) -> LadderOutcome:
        final = response.model_copy(
            update={
                "text": text if text is not None else response.text,
                "ladder_step": step,
                "usage": _total_usage(attempts),
                "latency_ms": round((time.monotonic() - started) * 1000, 1),
            }
        )
        return LadderOutcome(response=final, attempts=attempts, reason=reason)

    def invalid(reason: str, response: ChatResponse | None) -> LadderOutcome:
        last = response or ChatResponse(text="", model=model_name)
        return finish(last, None, "invalid", reason)

    try:
        try:
            step, req = "json_schema", request
            response = await call(step, req)
        except UnsupportedRequest:
            step, req = "json_object", _json_mode_request(request)
            response = await call(step, req)
        text, repaired, error = _check(response, validate)
        if text is not None:
            return finish(response, text, "repair" if repaired else step)
        attempts[-1].error = f"invalid output: {error}"

        response = await call("re-ask", _reask_request(req, response.text, error))
        text, _, error = _check(response, validate)
        if text is not None:
            return finish(response, text, "re-ask")
        attempts[-1].error = f"invalid output: {error}"
        return invalid(f"output stayed invalid after a re-ask: {error}", response)
    except (Refused, ContextTooLong, InvalidOutput) as exc:
        # About this output, not the connection: retrying later would not help, so
        # the caller grades offline instead of stalling the interview.
        last = next((a.response for a in reversed(attempts) if a.response), None)
        return invalid(exc.message, last)


# ---------------------------------------------------------------------------------
# Grading an answer with any model


def fallback_grade(answer: str, question: Question, pack: RolePack, reason: str) -> Grade:
    """The offline grader's result standing in for an invalid model output."""
    from mockinterview.grading import grade_answer

    grade = grade_answer(answer, question, pack)
    return grade.model_copy(update={"status": "fallback", "fallback_reason": reason.splitlines()[0]})


@dataclass
class ModelGradeResult:
    grade: Grade
    response: ChatResponse | None  # None when the request never produced a reply
    request: ChatRequest

    @property
    def ladder_step(self) -> str:
        return (self.response.ladder_step if self.response else None) or "invalid"


class ModelGrader:
    """Grades answers with ``model`` (stub, replay or openai), at most ``concurrency``
    at a time. An invalid output falls back to the offline grader, flagged; transport
    faults propagate as ModelError so the caller can show them and retry."""

    def __init__(self, model: Model, *, concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self.model = model
        self._slots = asyncio.Semaphore(concurrency)
        self.in_flight = 0
        self.peak_in_flight = 0

    async def grade(self, question: Question, answer: str, pack: RolePack) -> ModelGradeResult:
        from mockinterview.conversation import grading_request, parse_grade

        request = grading_request(question, answer, pack, model_name=self.model.name)
        async with self._slots:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                response = await self.model.complete(request)
            finally:
                self.in_flight -= 1
        if response.ladder_step == "invalid":
            reason = f"{self.model.name} returned invalid structured output"
            return ModelGradeResult(fallback_grade(answer, question, pack, reason), response, request)
        try:
            grade = parse_grade(response, question, answer, pack, grader=self.model.name)
        except InvalidOutput as exc:
            return ModelGradeResult(fallback_grade(answer, question, pack, exc.message), response, request)
        return ModelGradeResult(grade, response, request)

    async def grade_many(
        self, items: Iterable[tuple[Question, str]], pack: RolePack
    ) -> list[ModelGradeResult]:
        return await asyncio.gather(*(self.grade(q, a, pack) for q, a in items))
