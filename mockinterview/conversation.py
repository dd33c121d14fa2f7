"""Build the ChatRequests the interviewer sends, and shape what comes back.

Every request carries two views of the same step: ``messages`` rendered from the
prompt templates (what an LLM reads) and ``task``, the structured inputs they were
rendered from (what the offline stub reads).

The messages keep instructions and the candidate's words apart: the operator's
instructions - the interviewer's brief and the step to take now - are the one system
message at the start; the conversation follows as strictly alternating user/assistant
turns, the candidate's text in each user turn as delimited data and sent once (a
follow-up does not quote the answer again: it is the last user turn). Each step's
reply is bounded (``STEP_MAX_TOKENS``, ``STOP_SEQUENCES``); a reply cut at the limit
is trimmed to its last whole sentence and marked (``finish_reply``). The bank question
is shown to the candidate verbatim: the model writes only a lead-in
(``compose_question``).

Grading requests are built in ``mockinterview.grading.checklist``.
"""

from __future__ import annotations

import re
from typing import Any

from mockinterview.domain.pack import FollowUp, Question, RolePack, RoundId
from mockinterview.domain.transcript import Turn
from mockinterview.models.base import ChatMessage, ChatRequest
from mockinterview.prompting import delimit, render, template_hash

SYSTEM_TEMPLATE = "interviewer_system.j2"
STEP_TEMPLATES: dict[str, str] = {
    "round-intro": "round_intro.j2",
    "question": "ask_question.j2",
    "follow-up": "follow_up.j2",
    "clarification": "clarification.j2",
    "closing": "closing.j2",
}
# Tokens each step may write: a sentence or two (a clarification a short paragraph).
STEP_MAX_TOKENS: dict[str, int] = {
    "round-intro": 80,
    "question": 48,
    "follow-up": 80,
    "clarification": 140,
    "closing": 90,
}
# The model must never write the candidate's turn. Every step is one paragraph, but a
# blank line is no stop sequence: many models open with one, and the reply would end
# empty before it began (seen on llama-cpp-python's server); the first paragraph is
# kept instead (``first_paragraph``) and the step's token cap bounds the rest.
STOP_SEQUENCES = ["<candidate_", "Candidate:"]
# The user turn that asks the model to speak when the conversation ends with its own
# turn (or has not begun): strict chat templates need a user turn last.
YOUR_TURN = "(Your turn.)"
CUT_OFF_MARK = " […]"


# ---------------------------------------------------------------------------------
# Interviewer


def history_messages(history: list[Turn]) -> list[ChatMessage]:
    """The conversation so far as chat messages. System notes (time overruns, errors)
    are for humans and stay out; candidate text is delimited."""
    out: list[ChatMessage] = []
    for turn in history:
        if turn.speaker == "interviewer":
            out.append(ChatMessage(role="assistant", content=turn.text))
        elif turn.kind == "answer":
            out.append(ChatMessage(role="user", content=delimit(turn.text, "candidate_answer")))
        elif turn.kind == "clarifying-question":
            out.append(ChatMessage(role="user", content=delimit(turn.text, "candidate_question")))
        elif turn.kind == "skip":
            out.append(ChatMessage(role="user", content="(The candidate skipped this question.)"))
    return out


OPENING_PLACEHOLDER = "(The interview starts.)"


def alternate_roles(messages: list[ChatMessage]) -> list[ChatMessage]:
    """One leading system message, then strictly alternating user/assistant turns
    starting with the user. Many local servers' chat templates (Llama, Mistral, Gemma
    via Ollama/vLLM/LM Studio) reject anything else: later system messages (the
    trimming note) become user text, and neighbours with the same role are merged."""
    out: list[ChatMessage] = []
    start = 0
    if messages and messages[0].role == "system":
        out.append(messages[0])
        start = 1
    for message in messages[start:]:
        role = "user" if message.role == "system" else message.role
        if len(out) > start and out[-1].role == role:
            out[-1] = ChatMessage(role=role, content=out[-1].content + "\n\n" + message.content)
        elif len(out) == start and role == "assistant":
            out += [
                ChatMessage(role="user", content=OPENING_PLACEHOLDER),
                ChatMessage(role=role, content=message.content),
            ]
        else:
            out.append(ChatMessage(role=role, content=message.content))
    return out


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


def question_facts(question: Question) -> list[dict[str, Any]]:
    """What the interviewer may tell about ``question``'s scenario: the pack's facts, or,
    for a question without them, each sentence of its context (asked for by its own words)."""
    if question.facts:
        return [{"about": list(f.about), "text": f.text} for f in question.facts]
    sentences = [s.strip() for s in _SENTENCE_SPLIT.split(" ".join(question.context.split())) if s.strip()]
    return [{"about": [], "text": s} for s in sentences]


def _round_spec(pack: RolePack, round_id: RoundId):
    for spec in pack.meta.rounds:
        if spec.id == round_id:
            return spec
    raise KeyError(f"round {round_id!r} is not in pack {pack.id}")


def interviewer_request(
    step: str,
    *,
    pack: RolePack,
    question: Question | None,
    history: list[Turn],
    round_id: RoundId,
    probe: FollowUp | None = None,
    follow_up: dict[str, Any] | None = None,
    candidate_text: str | None = None,
    model_name: str,
    budget_tokens: int,
    details: dict[str, Any] | None = None,
    variant_key: str = "",
) -> ChatRequest:
    """One interviewer step. ``details`` holds step numbers (round_index, total_rounds,
    questions, question_index, questions_in_round, answered, rounds_done, ended_early);
    ``variant_key`` lets the stub vary its phrasing deterministically per turn. A follow-up's
    ``follow_up`` holds what the interviewer listened for (engine/follow_ups.py: the quote of
    a mistake to challenge and the challenge, the mistakes found, the key points already
    covered); a clarification gets the question's facts."""
    from mockinterview.models.tokens import trim_to_budget

    if step not in STEP_TEMPLATES:
        raise ValueError(f"unknown interviewer step {step!r}")
    spec = _round_spec(pack, round_id)
    details = dict(details or {})
    data: dict[str, Any] = {
        "round": round_id,
        "round_title": spec.title,
        "round_description": spec.description,
        "round_index": details.get("round_index", 0),
        "total_rounds": details.get("total_rounds", 1),
        "questions": details.get("questions", spec.default_questions),
        "question_index": details.get("question_index", 0),
        "questions_in_round": details.get("questions_in_round", 1),
        "answered": details.get("answered", 0),
        "rounds_done": details.get("rounds_done", 0),
        "ended_early": bool(details.get("ended_early", False)),
        "question_id": question.id if question else None,
        "question_text": question.text if question else "",
        "topic": question.topic if question else "",
        "probe_text": probe.text if probe else "",
        "candidate_text": candidate_text or "",
    }
    if step == "follow-up":
        data.update(
            {"quote": "", "challenge": "", "mistake_title": "", "mistake_definition": "", "covered": [], "mistakes_found": []}
        )
        data.update(follow_up or {})
    if step == "clarification":
        if question is None:
            raise ValueError("a clarification needs the current question")
        data["context"] = question.context
        data["facts"] = question_facts(question)  # the only facts the interviewer may share
    brief = render(SYSTEM_TEMPLATE, role_name=pack.meta.name, role_summary=pack.meta.role_summary, **data)
    instruction = render(STEP_TEMPLATES[step], **data)
    conversation = history_messages(history)
    if not conversation or conversation[-1].role != "user":
        conversation.append(ChatMessage(role="user", content=YOUR_TURN))
    messages = [ChatMessage(role="system", content=f"{brief}\n\nNow: {instruction}"), *conversation]
    messages = alternate_roles(trim_to_budget(messages, budget_tokens, model_name))
    task = {"step": step, "variant_key": variant_key, **data}
    return ChatRequest(
        purpose="interviewer",
        messages=messages,
        task=task,
        temperature=0.7,
        max_tokens=STEP_MAX_TOKENS[step],
        stop=list(STOP_SEQUENCES),
        prompt_name=STEP_TEMPLATES[step],
        prompt_hash=template_hash(STEP_TEMPLATES[step]),
        rubric_version=pack.version,
    )


_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”’)\]]*)(?=\s|$)")


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def first_paragraph(text: str, cut_off: bool) -> tuple[str, bool]:
    """The reply's first paragraph, and whether that paragraph was cut: a reply that
    went on past it was not cut within it."""
    text = text.strip()
    parts = _PARAGRAPH_BREAK.split(text, maxsplit=1)
    return parts[0].strip(), cut_off and len(parts) == 1


def finish_reply(text: str, cut_off: bool) -> str:
    """The text to keep of a reply: its first paragraph. One cut at the token limit is
    trimmed back to its last whole sentence (when there is one) and marked, so neither
    the candidate nor the model reads a half sentence as if it were meant."""
    text, cut_off = first_paragraph(text, cut_off)
    if not cut_off:
        return text
    ends = list(_SENTENCE_END.finditer(text))
    if ends:
        text = text[: ends[-1].end()]
    return text.rstrip() + CUT_OFF_MARK


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def compose_question(lead_in: str, question: Question) -> str:
    """The question turn: the model's lead-in (if any) and then the bank question,
    verbatim - whatever the model wrote, the candidate sees the real question and only
    it. A lead-in that restates the question is cut where the restatement starts; a
    lead-in cut at the token limit keeps its whole sentences (nothing shown is then
    cut off, so the turn is not marked); sentences of the lead-in that ask something
    are dropped, so the model's own question never stands beside the bank question.
    A lead-in is one line: what follows a line break, and a last fragment without an
    end (other than a colon), are not part of it."""
    lead = first_paragraph(lead_in, False)[0].split("\n", 1)[0].strip()
    whole_only = True
    head = _normal(question.text)[:40]
    at = _normal(lead).find(head) if head else -1
    if at != -1:
        # Map the position in the normalised text back to the original (whitespace runs
        # collapse, so walk the words).
        words = lead.split()
        kept, length = [], 0
        for word in words:
            if length >= at:
                break
            kept.append(word)
            length += len(word) + 1
        lead = " ".join(kept).rstrip(" :-–—")
        whole_only = False  # what is kept ends where the question starts, on purpose
    if lead.endswith(CUT_OFF_MARK.strip()):
        lead = lead.removesuffix(CUT_OFF_MARK.strip())  # marked earlier: the end is half a sentence
    lead = _statements(lead, whole_only=whole_only)
    return f"{lead} {question.text}" if lead else question.text


def _statements(text: str, *, whole_only: bool) -> str:
    """``text`` without its questions (sentences ending in "?"); with ``whole_only``
    also without a last sentence that has no end (a colon ends one: "Next one:")."""
    kept, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        sentence = text[start : end.end()].strip()
        start = end.end()
        if sentence and "?" not in sentence[-3:]:
            kept.append(sentence)
    rest = text[start:].strip()
    if rest and (not whole_only or rest.endswith(":")):
        kept.append(rest)
    return " ".join(kept)
