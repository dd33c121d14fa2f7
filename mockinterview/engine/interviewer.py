"""One interviewer step through a model: build the request, make the recorded call,
shape the reply into the turn's text.

The request itself is built by ``conversation.interviewer_request`` (the prompt templates
and the context budget); this module runs it for the session: it reports the call as it
starts and ends, retries once below a context window the server has just told, and keeps
the bank question verbatim whatever the model wrote around it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from mockinterview.conversation import (
    STEP_MAX_TOKENS,
    compose_question,
    finish_reply,
    first_paragraph,
    interviewer_request,
)
from mockinterview.domain.pack import FollowUp, Question, RolePack, RoundId
from mockinterview.domain.transcript import Turn
from mockinterview.engine.events import EngineEvent, InterviewerChunk, ModelCallFinished, ModelCallStarted
from mockinterview.models import Model
from mockinterview.models.base import ContextTooLong, ModelError

Emit = Callable[[EngineEvent], Awaitable[None]]


@dataclass(frozen=True)
class Reply:
    """What an interviewer step produced: the turn's text, its recorded call, and
    whether the model was cut off at the token limit."""

    text: str
    call_id: str
    cut_off: bool = False


async def interviewer_reply(
    model: Model,
    step: str,
    *,
    pack: RolePack,
    history: list[Turn],
    round_id: RoundId,
    question: Question | None,
    details: dict[str, Any],
    context_budget_tokens: int | None,
    variant_key: str,
    emit: Emit,
    probe: FollowUp | None = None,
    follow_up: dict[str, Any] | None = None,
    candidate_text: str | None = None,
) -> Reply:
    """Ask ``model`` for the interviewer's words at ``step``; its chunks are emitted as
    ``InterviewerChunk`` while it streams. A ModelError propagates (the session records
    the fault); an empty reply is one."""

    async def on_chunk(text: str) -> None:
        await emit(InterviewerChunk(text=text))

    for attempt in (1, 2):
        known_window = model.context_window
        request = interviewer_request(
            step,
            pack=pack,
            question=question,
            history=history,
            round_id=round_id,
            probe=probe,
            follow_up=follow_up,
            candidate_text=candidate_text,
            model_name=model.name,
            budget_tokens=model.prompt_budget(STEP_MAX_TOKENS[step], context_budget_tokens),
            details=details,
            variant_key=variant_key,
        )
        await emit(ModelCallStarted(purpose=step, model=model.name))
        try:
            response, call = await model.complete_recorded(request, on_chunk)
        except ContextTooLong:
            await emit(ModelCallFinished(purpose=step, model=model.name, ok=False))
            if attempt == 1 and model.context_window and model.context_window != known_window:
                continue  # the server named its context size: budget below it, once
            raise
        except ModelError:
            await emit(ModelCallFinished(purpose=step, model=model.name, ok=False))
            raise
        await emit(ModelCallFinished(purpose=step, model=model.name, ok=True))
        break
    if step == "question":
        # The bank question, verbatim, after whatever whole lead-in the model wrote:
        # nothing cut is shown (the call keeps the reply and its finish_reason).
        return Reply(compose_question(response.text, question), call.id, False)
    text = finish_reply(response.text, response.cut_off)
    if not text:
        raise ModelError(f"{model.name} returned an empty reply", retryable=True)
    # Marked only when the paragraph kept was cut (not when the cut came after it).
    return Reply(text, call.id, first_paragraph(response.text, response.cut_off)[1])
