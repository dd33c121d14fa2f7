"""Answers that must not score well whatever words they contain: empty ones, attempts to
instruct the grader, template syntax, bare keyword lists, and padding by repetition.

The answer is only ever read as data: nothing here (or anywhere in the grader) renders,
formats or evaluates it.
"""

from __future__ import annotations

import re
from operator import attrgetter

from mockinterview.grading import injection
from mockinterview.grading.claims import language_rules
from mockinterview.grading.normalise import detection_view
from mockinterview.grading.text import Analysis

# Separators of list items: commas, slashes, semicolons, sentence ends, line breaks, bullets,
# pipes, and "and" / "or".
_ITEM_SPLIT_RE = re.compile(r"[,;/|\n\u2022]+|(?<=[.!?])\s+|\s-\s|\s\*\s|\s(?:and|or)\s", re.IGNORECASE)


def injection_span(text: str) -> tuple[int, int] | None:
    """Span of the answer that talks to the grader instead of answering (grading/injection.py:
    a lexicon of orders, targets and tags in several languages, read on the normalised answer,
    its leetspeak, letter-spaced and ROT13 readings, and what it hides in base64, hex or
    escapes), or None."""
    return injection.injection_span(text)


def asks_for_a_list(question_text: str) -> bool:
    """True when a list of terms is the natural answer to the question ("Name four ...")."""
    return injection.asks_for_a_list(question_text)


# Template openers and closers: Jinja, and shell-style ${...}. Never rendered, but a probe.
_TEMPLATE_MARKS = ("{{", "{%", "%}", "}}")


def template_span(text: str) -> tuple[int, int] | None:
    """Span of template syntax in the answer ("{{ x }}", "{% ... %}", "{# ... #}", "${...}"),
    looked for in its normalised view (fullwidth braces count); linear: plain substring
    searches, each pairing only with the next closer."""
    view = detection_view(text)
    seen = view.text
    hits = [(at, mark) for mark in (*_TEMPLATE_MARKS, "{#", "${") if (at := seen.find(mark)) >= 0]
    for at, mark in sorted(hits):
        if mark in _TEMPLATE_MARKS:
            return view.source_span(at, at + 2)
        closer = seen.find("#}" if mark == "{#" else "}", at + 2)
        if closer >= 0:
            return view.source_span(at, closer + (2 if mark == "{#" else 1))
    return None


def is_empty(analysis: Analysis) -> bool:
    return not analysis.tokens


# Markers of a clause: auxiliaries, modals, pronoun subjects and subordinators. Prose has
# them in nearly every clause; a list of terms has none.
_CLAUSE_MARKERS_TEXT = """
is are was were be been being has have had do does did will would can could should must may might
i we you it they he she this that which because so if when then to means mean i'd we'd it's that's
there's don't doesn't
"""
_CLAUSE_MARKERS = frozenset(_CLAUSE_MARKERS_TEXT.split())
_CONTENT = attrgetter("content")
_TEXT = attrgetter("text")


def is_keyword_list(analysis: Analysis) -> bool:
    """A bare list of terms, not an explanation.

    The answer is cut into items at commas, semicolons, slashes, sentence ends, bullets,
    line breaks and "and"/"or"; an item is bare when it is short (at most four words) and
    has no clause marker (no verb, subject or connective). It is a keyword list when

    * it has at least three items and almost no clause markers (under 4% of the words)
      or function words (under 25%); a noun phrase such as "the behaviour of a portion
      of the product" is a fragment, not a list;
    * or it is one run of six or more words with no function word at all, or most of it
      is a single run of nine or more content words ("I think it is baseline complex
      patterns enough data ROI ...");
    * or at least four items, two thirds of them bare, with few markers overall (under
      12% of the words: explanations run at 15-25%, so a sentence that merely enumerates
      things inside an explanation is not a list);
    * or it is mostly short sentences cut from one template ("It is about X. It is about
      Y. It is about Z.").
    """
    words = analysis.tokens
    if len(words) < 6:
        return False
    # (Counted with map and bytes over the tokens' fields: no Python loop per word.)
    longest = max(map(len, bytes(map(_CONTENT, words)).split(b"\0")))  # longest run of content words
    if longest >= 9 and longest >= 0.5 * len(words):
        return True
    if _templated(analysis):
        return True
    marker_share = sum(map(_CLAUSE_MARKERS.__contains__, map(_TEXT, words))) / len(words)
    if marker_share >= 0.12 or _telegraphic(analysis):
        return False
    function_words = len(words) - sum(map(_CONTENT, words))
    function_share = function_words / len(words)
    if function_share == 0.0:
        return True
    # Items with a word in them (their words are only read for the last test).
    items = [item for item in _ITEM_SPLIT_RE.split(analysis.text) if item and not item.isspace()]
    if len(items) >= 3 and marker_share < 0.04 and function_share < 0.25:
        return True
    # Noun phrases held together by articles and prepositions ("a written API contract with
    # inputs, a shared model registry, ...") are terse prose, not bare terms.
    if len(items) < 4:
        return False
    # ("and"-chains of terms are lists whatever their length.)
    joining = sum(1 for t in words if not t.content and t.text not in ("and", "or")) / len(words)
    if joining >= 0.35:
        return False
    item_words = [[w.strip(".:!?()[]\"'") for w in item.lower().split()] for item in items]
    bare = sum(1 for item in item_words if len(item) <= 4 and not any(w in _CLAUSE_MARKERS for w in item))
    return bare / len(items) >= 2 / 3


# Terse expert prose ("Tune on a 10-20% row sample, confirm on full data. Randomise per
# user.") drops articles and verbs' subjects but keeps what ties a term to the case: a
# preposition or a figure in nearly every sentence, and the case's own figures. A list of
# terms has neither.
TELEGRAPHIC_MIN_SENTENCES = 3
TELEGRAPHIC_SHARE = 2 / 3
TELEGRAPHIC_MIN_FIGURES = 2  # distinct numbers in the answer


def _telegraphic(analysis: Analysis) -> bool:
    prepositions = language_rules().prepositions
    sentences = [s for s in analysis.sentences if len(s.tokens) >= 5]
    if len(sentences) < TELEGRAPHIC_MIN_SENTENCES:
        return False
    # The case's own figures: a list of terms, however it is dressed, does not carry them.
    figures = {t.text for t in analysis.tokens if t.text[:1].isdigit()}
    if len(figures) < TELEGRAPHIC_MIN_FIGURES:
        return False
    ties: list[frozenset[str]] = []
    for s in sentences:
        words = [t.text for t in s.tokens]
        tie = frozenset(
            " ".join(words[k : k + 2]) for k in range(1, len(words)) if words[k] in prepositions or words[k][:1].isdigit()
        )
        if tie:
            ties.append(tie)
    # Each sentence tied its own way: key phrases dressed in one frame ("X at 5%. Y at 5%.")
    # share theirs.
    varied = len(set().union(*ties)) >= TELEGRAPHIC_SHARE * len(ties) if ties else False
    return varied and len(ties) >= TELEGRAPHIC_SHARE * len(sentences) and not _shared_tie(ties)


def _shared_tie(ties: list[frozenset[str]]) -> bool:
    """One tie found in most sentences: a frame repeated, not prose."""
    counts: dict[str, int] = {}
    for tie in ties:
        for phrase in tie:
            counts[phrase] = counts.get(phrase, 0) + 1
    return max(counts.values(), default=0) > len(ties) / 2


_PUNCTUATION_RE = re.compile(r"[.,;:!?\n]")


def is_unpunctuated_run(analysis: Analysis) -> bool:
    """Eight or more words with no punctuation at all and almost no clause markers:
    key phrases run together ("tp fn cost of each error prioritize recall ...").

    Used for bank questions, which expect an explanation; short free-text answers to
    quiz-style questions are often unpunctuated fragments and are left alone.
    """
    words = analysis.tokens
    if len(words) < 8 or _PUNCTUATION_RE.search(analysis.text):
        return False
    return sum(1 for t in words if t.text in _CLAUSE_MARKERS) / len(words) < 0.12


def _templated(analysis: Analysis) -> bool:
    """Three or more short sentences with the same function-word skeleton, making up
    most of the answer."""
    sentences = analysis.sentences
    if len(sentences) < 3:
        return False
    skeletons: dict[tuple[str, ...], int] = {}
    for s in sentences:
        if len(s.tokens) <= 8:
            skeleton = tuple(t.text for t in s.tokens if not t.content)
            if len(skeleton) >= 2:
                skeletons[skeleton] = skeletons.get(skeleton, 0) + 1
    most = max(skeletons.values(), default=0)
    return most >= 3 and most >= 0.6 * len(sentences)


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
