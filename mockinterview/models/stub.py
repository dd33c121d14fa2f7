"""The embedded offline model: a deterministic interviewer and the heuristic grader.

It reads ``ChatRequest.task`` (the structured inputs) rather than the rendered
messages, so it needs no language model, yet it goes through exactly the same
request -> response -> parse path as a real LLM. Interviewer phrasing comes from
``prompts/stub/*.j2``: each template renders a few variants and one is picked from a
hash of the session id and turn, so sessions read naturally but are reproducible.
As grader it runs ``mockinterview.grading.grade_answer`` and returns the resulting
checklist as JSON; the engine then parses it like any model's reply.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
import time
from typing import Any

from mockinterview.domain.pack import RolePack
from mockinterview.domain.transcript import TokenUsage
from mockinterview.models.base import ChatRequest, ChatResponse, ChunkCallback, ModelError
from mockinterview.prompting import render

# Five dashes separate variants; matched anywhere, because a variant that ends in a
# Jinja block tag loses its newline to trim_blocks and the separator joins its line.
VARIANT_SEPARATOR = re.compile(r"\s*-----\s*")
STEP_TEMPLATES = {
    "round-intro": "stub/round_intro.j2",
    "question": "stub/question.j2",
    "follow-up": "stub/follow_up.j2",
    "clarification": "stub/clarification.j2",
    "closing": "stub/closing.j2",
    "summary": "stub/summary.j2",
}
CHUNK_WORDS = 4

# Packs the stub grader may be asked about, by content hash. The engine registers the
# pack it runs (which may come from a directory rather than the bundled ones).
_KNOWN_PACKS: dict[str, RolePack] = {}


def remember_pack(pack: RolePack) -> None:
    _KNOWN_PACKS[pack.content_hash] = pack


def _resolve_pack(task: dict[str, Any]) -> RolePack:
    wanted = str(task.get("pack_hash", ""))
    if wanted in _KNOWN_PACKS:
        return _KNOWN_PACKS[wanted]
    from mockinterview.packs.loader import PackLoadError, load_pack

    try:
        pack = load_pack(str(task.get("pack_id", "")))
    except PackLoadError as exc:
        raise ModelError(
            f"stub grader: cannot load rubric pack {task.get('pack_id')!r}: {exc}".splitlines()[0]
        ) from None
    if wanted and pack.content_hash != wanted:
        raise ModelError(
            f"stub grader: rubric pack {pack.id!r} on disk differs from the one this request was built for"
        )
    remember_pack(pack)
    return pack


def pick_variant(text: str, key: str) -> str:
    variants = [v.strip() for v in VARIANT_SEPARATOR.split(text) if v.strip()]
    if not variants:
        return ""
    index = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % len(variants)
    return variants[index]


_WORD_RE = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "at",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "do",
        "does",
        "did",
        "we",
        "you",
        "i",
        "it",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "who",
        "how",
        "when",
        "where",
        "why",
        "can",
        "could",
        "would",
        "should",
        "will",
        "there",
        "their",
        "our",
        "your",
        "my",
        "me",
        "us",
        "they",
        "them",
        "have",
        "has",
        "had",
        "any",
        "some",
        "about",
        "as",
        "if",
        "so",
        "not",
        "no",
        "more",
        "much",
        "many",
        "just",
        "also",
        "into",
        "than",
        "then",
        "its",
        "it's",
        "is",
        "there",
    ]
)


def _content_words(text: str) -> set[str]:
    return {w.rstrip("s") for w in _WORD_RE.findall(text.lower()) if w not in _STOPWORDS and len(w) > 2}


def relevant_facts(context: str, candidate_question: str, limit: int = 2) -> tuple[str, bool]:
    """The sentences of the question's context that share the most words with what the
    candidate asked (in their original order), and whether anything matched at all.
    Only the context is ever consulted: it holds no key points or reference answer."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", context.strip()) if s.strip()]
    if not sentences:
        return "", False
    asked = _content_words(candidate_question)
    scored = [(len(asked & _content_words(s)), i) for i, s in enumerate(sentences)]
    best = sorted((x for x in scored if x[0] > 0), key=lambda x: (-x[0], x[1]))[:limit]
    if not best:
        return " ".join(sentences[:limit]), False
    return " ".join(sentences[i] for _, i in sorted(best, key=lambda x: x[1])), True


def summary_facts(results: list[dict[str, Any]]) -> dict[str, Any]:
    """What the stub's summary says: the best-scored questions, and the mistakes and
    missed points that recur (or come from the weakest answers)."""
    scored = [r for r in results if isinstance(r.get("score"), int | float)]
    if not scored:
        return {"answered": 0, "overall": None, "strongest": [], "work_on": []}
    ranked = sorted(scored, key=lambda r: -r["score"])
    strongest = [f"{r['question']} ({r['score']:.1f}/5)" for r in ranked[:2] if r["score"] >= 3.0]
    mistakes: dict[str, int] = {}
    for r in scored:
        for m in r.get("mistakes") or []:
            mistakes[m] = mistakes.get(m, 0) + 1
    work_on = [m for m, _ in sorted(mistakes.items(), key=lambda kv: (-kv[1], kv[0]))][:2]
    for r in reversed(ranked):
        for missed in r.get("missed") or []:
            if len(work_on) < 3 and missed not in work_on:
                work_on.append(missed)
    overall = sum(r["score"] for r in scored) / len(scored)
    return {"answered": len(scored), "overall": round(overall, 1), "strongest": strongest, "work_on": work_on}


class StubModel:
    name = "stub"

    async def complete(self, request: ChatRequest, on_chunk: ChunkCallback | None = None) -> ChatResponse:
        started = time.perf_counter()
        task = request.task
        step = task.get("step")
        if step == "grade":
            text, ladder = self._grade(task), "stub"
        elif step in STEP_TEMPLATES:
            text, ladder = self._interviewer_text(step, task), None
            if on_chunk is not None:
                await _stream(text, on_chunk)
        else:
            raise ModelError(f"stub model: unsupported request step {step!r}")
        return ChatResponse(
            text=text,
            model=self.name,
            usage=TokenUsage(),
            finish_reason="stop",
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
            ladder_step=ladder,
        )

    def _interviewer_text(self, step: str, task: dict[str, Any]) -> str:
        data = dict(task)
        if step == "clarification":
            facts, matched = relevant_facts(str(task.get("context", "")), str(task.get("candidate_text", "")))
            data.update(facts=facts, matched=matched)
        elif step == "summary":
            data.update(summary_facts(task.get("results") or []))
        rendered = render(STEP_TEMPLATES[step], **data)
        return pick_variant(rendered, f"{task.get('variant_key', '')}|{step}")

    def _grade(self, task: dict[str, Any]) -> str:
        from mockinterview.grading import grade_answer

        pack = _resolve_pack(task)
        try:
            question = pack.question(str(task.get("question_id")))
        except KeyError:
            raise ModelError(
                f"stub grader: question {task.get('question_id')!r} is not in pack {pack.id}"
            ) from None
        grade = grade_answer(str(task.get("answer", "")), question, pack)
        checklist = {
            "key_points": [
                {
                    "id": k.id,
                    "covered": k.covered,
                    "evidence": k.evidence,
                    "misconception": k.misconception,
                    "credit": getattr(k, "credit", None),
                }
                for k in grade.key_points
            ],
            "mistakes": [
                {"id": m.id, "present": True, "evidence": m.evidence, "note": m.note} for m in grade.mistakes
            ],
            "behavioral": [
                {"id": b.id, "present": b.present, "evidence": b.evidence} for b in grade.behavioral
            ],
            "flags": list(grade.flags),
            "feedback": grade.feedback,
        }
        return json.dumps(checklist, ensure_ascii=False)

    async def aclose(self) -> None:
        return None


async def _stream(text: str, on_chunk: ChunkCallback) -> None:
    words = text.split(" ")
    for i in range(0, len(words), CHUNK_WORDS):
        piece = " ".join(words[i : i + CHUNK_WORDS])
        if i + CHUNK_WORDS < len(words):
            piece += " "
        result = on_chunk(piece)
        if inspect.isawaitable(result):
            await result
