"""Build the ChatRequests the engine sends, and turn a grader's reply into a Grade.

Every request carries two views of the same step: ``messages`` rendered from the
prompt templates (what an LLM reads) and ``task``, the structured inputs they were
rendered from (what the offline stub reads). Candidate text enters ``messages`` only
as delimited data (see ``mockinterview.prompting.delimit``).

Grading is a checklist: the grader answers yes/no per key point and per mistake with
a verbatim quote as evidence; ``parse_grade`` keeps only quotes that really occur in
the answer and computes the score in code with the same formula as the offline grader.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mockinterview.domain.grade import BehavioralCheck, Grade, KeyPointCoverage, MistakeFinding
from mockinterview.domain.pack import FollowUp, Question, RolePack, RoundId
from mockinterview.domain.transcript import Turn
from mockinterview.models.base import ChatMessage, ChatRequest, ChatResponse, InvalidOutput
from mockinterview.prompting import delimit, render, template_hash

SYSTEM_TEMPLATE = "interviewer_system.j2"
GRADE_TEMPLATE = "grade_answer.j2"
STEP_TEMPLATES: dict[str, str] = {
    "round-intro": "round_intro.j2",
    "question": "ask_question.j2",
    "follow-up": "follow_up.j2",
    "clarification": "clarification.j2",
    "closing": "closing.j2",
}
INTERVIEWER_MAX_TOKENS = 400
GRADE_MAX_TOKENS = 1500
BEHAVIORAL_IDS = (
    "situation",
    "task",
    "action",
    "result",
    "quantified-impact",
    "ownership",
    "business-framing",
)


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
    candidate_text: str | None = None,
    model_name: str,
    budget_tokens: int,
    details: dict[str, Any] | None = None,
    variant_key: str = "",
) -> ChatRequest:
    """One interviewer step. ``details`` holds step numbers (round_index, total_rounds,
    questions, question_index, questions_in_round, answered, rounds_done, ended_early);
    ``variant_key`` lets the stub vary its phrasing deterministically per turn."""
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
    if step == "clarification":
        if question is None:
            raise ValueError("a clarification needs the current question")
        data["context"] = question.context  # the only facts the interviewer may share
    system = render(SYSTEM_TEMPLATE, role_name=pack.meta.name, role_summary=pack.meta.role_summary, **data)
    instruction = render(STEP_TEMPLATES[step], **data)
    messages = [
        ChatMessage(role="system", content=system),
        *history_messages(history),
        ChatMessage(role="user", content=instruction),
    ]
    messages = alternate_roles(trim_to_budget(messages, budget_tokens, model_name))
    task = {"step": step, "variant_key": variant_key, **data}
    return ChatRequest(
        purpose="interviewer",
        messages=messages,
        task=task,
        temperature=0.7,
        max_tokens=INTERVIEWER_MAX_TOKENS,
        prompt_name=STEP_TEMPLATES[step],
        prompt_hash=template_hash(STEP_TEMPLATES[step]),
        rubric_version=pack.version,
    )


SUMMARY_TEMPLATE = "summary.j2"
SUMMARY_MAX_TOKENS = 400


def summary_request(
    results: list[dict[str, Any]], *, pack: RolePack, model_name: str, variant_key: str = ""
) -> ChatRequest:
    """A short session summary from graded results (one dict per question: round,
    question, score, covered, missed, mistakes). Only grader findings go in - the
    candidate's own words are not needed to summarise, so none are sent."""
    prompt = render(SUMMARY_TEMPLATE, role_name=pack.meta.name, results=results)
    return ChatRequest(
        purpose="summary",
        messages=[ChatMessage(role="user", content=prompt)],
        task={"step": "summary", "results": results, "variant_key": variant_key},
        temperature=0.3,
        max_tokens=SUMMARY_MAX_TOKENS,
        prompt_name=SUMMARY_TEMPLATE,
        prompt_hash=template_hash(SUMMARY_TEMPLATE),
        rubric_version=pack.version,
    )


# ---------------------------------------------------------------------------------
# Grading


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class KeyPointCheck(_Out):
    id: str
    covered: bool
    evidence: str | None = None
    misconception: str | None = None
    credit: float | None = Field(default=None, ge=0.0, le=1.0)  # partial credit, when graded by degree


class MistakeCheck(_Out):
    id: str
    present: bool
    evidence: str | None = None
    note: str = ""


class BehavioralItem(_Out):
    id: str
    present: bool
    evidence: str | None = None


class GradeChecklist(_Out):
    """What a grader returns: checks and quotes, never a score."""

    key_points: list[KeyPointCheck]
    mistakes: list[MistakeCheck] = Field(default_factory=list)
    behavioral: list[BehavioralItem] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    feedback: str = ""


@lru_cache(maxsize=1)
def _checklist_schema_json() -> str:
    return json.dumps(GradeChecklist.model_json_schema(), sort_keys=True)


def checklist_schema() -> dict[str, Any]:
    """The JSON schema of the checklist (a fresh copy: requests may be edited by callers)."""
    return json.loads(_checklist_schema_json())


def mistakes_for(question: Question, pack: RolePack) -> list:
    """The question's own mistakes first, then the pack's others that apply to its round."""
    ids = list(question.mistakes)
    ids += [m.id for m in pack.mistakes if question.round in m.applies_to and m.id not in ids]
    return [pack.mistake(i) for i in ids if any(m.id == i for m in pack.mistakes)]


def grading_request(question: Question, answer: str, pack: RolePack, *, model_name: str) -> ChatRequest:
    prompt = render(
        GRADE_TEMPLATE,
        kind=question.kind,
        round=question.round,
        question_text=question.text,
        key_points=[{"id": kp.id, "text": kp.text} for kp in question.key_points],
        mistakes=[
            {"id": m.id, "title": m.title, "definition": m.definition} for m in mistakes_for(question, pack)
        ],
        answer=answer,
    )
    return ChatRequest(
        purpose="grade",
        messages=[ChatMessage(role="user", content=prompt)],
        task={
            "step": "grade",
            "pack_id": pack.id,
            "pack_version": pack.version,
            "pack_hash": pack.content_hash,
            "question_id": question.id,
            "answer": answer,
        },
        temperature=0.0,
        max_tokens=GRADE_MAX_TOKENS,
        response_schema=checklist_schema(),
        prompt_name=GRADE_TEMPLATE,
        prompt_hash=template_hash(GRADE_TEMPLATE),
        rubric_version=pack.version,
    )


_FENCE_RE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def parse_checklist(text: str) -> GradeChecklist:
    """The checklist JSON in a grader's reply (a ```json fence is tolerated);
    InvalidOutput with a one-line reason otherwise."""
    fenced = _FENCE_RE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InvalidOutput(f"grader reply is not valid JSON ({exc})".splitlines()[0]) from None
    try:
        return GradeChecklist.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise InvalidOutput(f"grader reply does not match the checklist: {loc}: {err['msg']}") from None


def verbatim(evidence: str | None, answer: str) -> str | None:
    """The quote if it occurs in the answer exactly (surrounding quotes/space ignored), else None."""
    if not evidence:
        return None
    for candidate in (evidence, evidence.strip(), evidence.strip().strip("\"'“”‘’").strip()):
        if candidate and candidate in answer:
            return candidate
    return None


def parse_grade(
    response: ChatResponse, question: Question, answer: str, pack: RolePack, *, grader: str
) -> Grade:
    from mockinterview.grading.scoring import compute_score

    checklist = parse_checklist(response.text)

    checks = {c.id: c for c in checklist.key_points}
    key_points: list[KeyPointCoverage] = []
    for kp in question.key_points:
        check = checks.get(kp.id)
        evidence = verbatim(check.evidence, answer) if check else None
        # A misconception, like a mistake, must quote the answer; anything else is dropped.
        misconception = verbatim(check.misconception, answer) if check else None
        # No quote, no credit: a checklist judge must point at the candidate's words. That
        # holds for partial credit too (a paraphrase the rubric did not foresee).
        creditable = bool(check and evidence and not misconception)
        covered = bool(creditable and check.covered)
        credit = check.credit if creditable and (covered or check.credit) else None
        key_points.append(
            KeyPointCoverage(
                id=kp.id,
                text=kp.text,
                covered=covered,
                evidence=evidence if covered or credit else None,
                misconception=misconception,
                credit=credit,
            )
        )

    known_mistakes = {m.id for m in pack.mistakes}
    mistakes: list[MistakeFinding] = []
    seen: set[str] = set()
    for m in checklist.mistakes:
        evidence = verbatim(m.evidence, answer)
        if m.present and evidence and m.id in known_mistakes and m.id not in seen:
            mistakes.append(MistakeFinding(id=m.id, evidence=evidence, note=m.note))
            seen.add(m.id)

    behavioral: list[BehavioralCheck] = []
    for b in checklist.behavioral:
        if b.id not in BEHAVIORAL_IDS or any(x.id == b.id for x in behavioral):
            continue
        evidence = verbatim(b.evidence, answer)
        present = bool(b.present and evidence)
        behavioral.append(BehavioralCheck(id=b.id, present=present, evidence=evidence if present else None))

    flags = list(dict.fromkeys(f for f in checklist.flags if isinstance(f, str) and f))
    weights = {kp.id: kp.weight for kp in question.key_points}
    # As in the heuristic grader: STAR checks count for behavioral questions only.
    is_behavioral = question.kind == "behavioral" or question.round == "behavioral"
    kind = "behavioral" if is_behavioral and behavioral else question.kind
    score = compute_score(key_points, weights, mistakes, behavioral, flags, kind)
    return Grade(
        question_id=question.id,
        score=score,
        key_points=key_points,
        mistakes=mistakes,
        behavioral=behavioral,
        flags=flags,
        feedback=checklist.feedback.strip(),
        grader=grader,
        rubric_id=pack.id,
        rubric_version=pack.version,
        rubric_hash=pack.content_hash,
        prompt_hash=template_hash(GRADE_TEMPLATE),
    )
