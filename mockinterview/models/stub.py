"""The embedded offline model: a deterministic interviewer and the heuristic grader.

It reads ``ChatRequest.task`` (the structured inputs) rather than the rendered
messages, so it needs no language model, yet it goes through exactly the same
request -> response -> parse path as a real LLM. Interviewer phrasing comes from
``prompts/stub/*.j2``: each template renders a few variants and one is picked from a
hash of the session id and turn, so sessions read naturally but are reproducible.
As grader it answers with the offline grader's checklist as JSON, which the grading
layer registers here (``register_task``) - so this module needs nothing from grading
and the grader parses the stub's reply exactly like any model's.
"""

from __future__ import annotations

import hashlib
import inspect
import re
import time
from collections.abc import Callable
from typing import Any

from mockinterview.domain.transcript import TokenUsage
from mockinterview.models.base import (
    CallPolicy,
    ChatRequest,
    ChatResponse,
    ChunkCallback,
    EndpointInfo,
    ModelError,
    StreamProgress,
)
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
}
CHUNK_WORDS = 4

# Answers for structured tasks other layers know how to do offline ("grade": the
# heuristic grader's checklist, registered by mockinterview.grading.checklist).
TaskHandler = Callable[[dict[str, Any]], str]
_TASKS: dict[str, TaskHandler] = {}


def register_task(step: str, handler: TaskHandler) -> None:
    _TASKS[step] = handler


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


def matching_facts(facts: list[dict[str, Any]], asked: str, limit: int = 3) -> tuple[list[str], bool]:
    """The facts that answer what the candidate asked, in the pack's order, and whether
    some part of the question (split at "?") matched none of them.

    A fact with ``about`` phrases matches when every content word of one phrase is in the
    question; one without (a context sentence) when it shares a content word with it, the
    best two by shared words."""
    parts = [p for p in re.split(r"[?;]|\n", asked) if _content_words(p)] or [asked]
    hits: dict[int, int] = {}
    unanswered = False
    for part in parts:
        words = _content_words(part)
        found = False
        for i, fact in enumerate(facts):
            about = [a for a in fact.get("about") or [] if _content_words(a)]
            if about:
                score = 10 if any(_content_words(a) <= words for a in about) else 0
            else:
                score = len(words & _content_words(str(fact.get("text", ""))))
            if score:
                hits[i] = max(hits.get(i, 0), score)
                found = True
        unanswered = unanswered or not found
    structured = any(f.get("about") for f in facts)
    ranked = sorted(hits, key=lambda i: (-hits[i], i))[: limit if structured else 2]
    return [str(facts[i]["text"]) for i in sorted(ranked)], unanswered


class StubProvider:
    """The offline stub as a ``Provider``: instant, deterministic, free."""

    name = "stub"
    policy = CallPolicy(max_retries=0, max_total_s=None, max_concurrency=64)
    structured_modes = ("stub",)
    context_budget = 6000

    async def describe(self) -> EndpointInfo:
        return EndpointInfo()

    def price_table(self) -> None:
        return None

    async def send(
        self, request: ChatRequest, on_chunk: ChunkCallback | None, progress: StreamProgress
    ) -> ChatResponse:
        started = time.perf_counter()
        task = request.task
        step = task.get("step")
        if step in _TASKS:
            text = _TASKS[step](task)
        elif step in STEP_TEMPLATES:
            text = self._interviewer_text(step, task)
            if on_chunk is not None:
                await _stream(text, on_chunk, progress)
        else:
            raise ModelError(f"stub model: unsupported request step {step!r}")
        return ChatResponse(
            text=text,
            model=self.name,
            usage=TokenUsage(),
            finish_reason="stop",
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
        )

    def _interviewer_text(self, step: str, task: dict[str, Any]) -> str:
        data = dict(task)
        if step == "clarification":
            facts, unanswered = matching_facts(list(task.get("facts") or []), str(task.get("candidate_text", "")))
            data.update(shared=" ".join(facts), unanswered=unanswered)
        rendered = render(STEP_TEMPLATES[step], **data)
        return pick_variant(rendered, f"{task.get('variant_key', '')}|{step}")

    async def aclose(self) -> None:
        return None


async def _stream(text: str, on_chunk: ChunkCallback, progress: StreamProgress) -> None:
    words = text.split(" ")
    for i in range(0, len(words), CHUNK_WORDS):
        piece = " ".join(words[i : i + CHUNK_WORDS])
        if i + CHUNK_WORDS < len(words):
            piece += " "
        progress.chars += len(piece)
        result = on_chunk(piece)
        if inspect.isawaitable(result):
            await result
