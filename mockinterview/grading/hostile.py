"""Answers that must not score well whatever words they contain: empty ones, attempts to
instruct the grader, template syntax, bare keyword lists, and padding by repetition.

The answer is only ever read as data: nothing here (or anywhere in the grader) renders,
formats or evaluates it.
"""

from __future__ import annotations

import re

from mockinterview.grading.text import STOP_WORDS, Analysis

# Attempts to talk to the grader instead of answering the question. Each pattern comes
# with the words it cannot match without, so an ordinary answer costs a few substring
# tests rather than a dozen regex scans.
_VERBS = ("give", "award", "assign", "rate", "grade", "score")
_INJECTION_RULES: list[tuple[tuple[str, ...], str]] = [
    (
        ("ignore",),
        r"\bignore\b.{0,40}\b(?:rubric|instructions?|rules?|prompt|grading|criteria|above|previous)\b",
    ),
    (
        ("disregard",),
        r"\bdisregard\b.{0,40}\b(?:rubric|instructions?|rules?|prompt|grading|criteria|above|previous)\b",
    ),
    (("forget",), r"\bforget\b.{0,30}\b(?:rubric|instructions?|rules?|prompt)\b"),
    (
        _VERBS,
        r"\b(?:give|award|assign|rate|grade|score)\b.{0,30}\b(?:5|five|10|ten|100)\s*"
        r"(?:/\s*(?:5|10|100)|out of|points?|stars?|marks?)",
    ),
    (
        _VERBS,
        r"\b(?:give|award|assign)\b.{0,25}\b(?:full|maximum|max|perfect|top|highest)\s+(?:marks?|score|grade|points?)",
    ),
    (("grade", "score", "rating"), r"\b(?:grade|score|rating)\s*[:=]\s*\d"),
    (
        ("grader", "evaluator", "examiner", "judge", "assistant", "language model", " ai"),
        r"\bas (?:the|a|an) (?:grader|evaluator|examiner|judge|ai|assistant|language model)\b",
    ),
    (
        ("you must", "you should", "you will", "you are required", "you have to"),
        r"\byou (?:must|should|will|are required to|have to)\s+(?:give|grade|score|award|rate|output|respond|"
        r"return|mark)\b",
    ),
    (("system", "developer"), r"\b(?:system|developer)\s*(?:prompt|message|instruction)s?\b"),
    (("you are now",), r"\byou are now\b"),
    (("instruction",), r"\bnew instructions?\b"),
    (("<",), r"</?\s*(?:system|assistant|user|instructions?)\s*>"),
    (("this answer",), r"\bthis answer (?:is|deserves) (?:perfect|excellent|a 5|full marks|the highest)"),
]
_INJECTION_CHECKS = [(words, re.compile(p, re.IGNORECASE | re.DOTALL)) for words, p in _INJECTION_RULES]

# Jinja / f-string / shell-style placeholders: never rendered, but a sign of a probe.
_TEMPLATE_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\$\{[^}]*\}|\{\{|\{%|%\}|\}\}", re.DOTALL)

# Separators of list items: commas, slashes, semicolons, line breaks, bullets, pipes.
_ITEM_SPLIT_RE = re.compile(r"[,;/|\n\u2022]+|\s-\s|\s\*\s")


def injection_span(text: str) -> tuple[int, int] | None:
    lowered = text.lower()
    for words, pattern in _INJECTION_CHECKS:
        if any(w in lowered for w in words):
            m = pattern.search(text)
            if m:
                return (m.start(), m.end())
    return None


def template_span(text: str) -> tuple[int, int] | None:
    m = _TEMPLATE_RE.search(text)
    return (m.start(), m.end()) if m else None


def is_empty(analysis: Analysis) -> bool:
    return not analysis.tokens


def is_keyword_list(analysis: Analysis) -> bool:
    """A bare list of terms, not an explanation.

    Prose needs function words (articles, auxiliaries, prepositions): they are usually
    40-55% of the words of an explanation. A run of comma-separated terms has almost
    none. We call the answer a keyword list when most of its words sit in short items
    with no function word, or when function words are nearly absent overall.
    """
    words = analysis.tokens
    if len(words) < 6:
        return False
    function_share = sum(1 for t in words if not t.content) / len(words)
    items = [i for i in _ITEM_SPLIT_RE.split(analysis.text) if i.strip()]
    listy_words = 0
    for item in items:
        words_in_item = [w.strip(".:!?()[]\"'").lower() for w in item.split()]
        if 0 < len(words_in_item) <= 4 and not any(w in STOP_WORDS for w in words_in_item):
            listy_words += len(words_in_item)
    listy_share = listy_words / len(words)
    return function_share < 0.15 or (listy_share >= 0.6 and function_share < 0.3)


def repetition_share(analysis: Analysis) -> float:
    """Share of sentences that repeat an earlier sentence's content words (padding)."""
    seen: set[frozenset[str]] = set()
    repeats = 0
    counted = 0
    for s in analysis.sentences:
        if len(s.stems) < 3:
            continue
        counted += 1
        if s.stems in seen:
            repeats += 1
        seen.add(s.stems)
    return repeats / counted if counted else 0.0
