"""Which bank question a free-text question asks: question matching.

Two matchers rank the pack's questions for a question text and report the best one, the
runner-up and which matcher ranked them:

``tfidf`` (default install, stdlib only)
    Fielded, IDF-weighted coverage. Each bank question is a bag of stems from its text and
    topic (weight 1), follow-up probes and key point texts (0.5), key point expressions (0.3),
    context and reference answer (0.15). Terms are weighted by an IDF taken from the question
    texts (a word that names one question, "multicollinearity", weighs more than one that
    every reference answer uses, "model"). The score is the mean of two coverages, each in
    [0, 1]: the share of the query's IDF weight that the bank question holds (by field
    weight), and the share of the bank question's own text that the query holds. A query
    stem unknown to the pack meets a known stem that extends it or that it extends (at least
    four letters: "recommendat" / "recommend", "leakag" / "leak") at 0.8.
``semantic`` (extra ``mockinterview[semantic]``)
    Cosine between sentence embeddings (all-MiniLM-L6-v2, int8 ONNX), see grading/semantic.py.

A match is accepted when the best score reaches the matcher's threshold, or a lower floor
with a clear margin over the runner-up. Thresholds were tuned on the tuning part of
tests/data/question_paraphrases.jsonl only (bench/question_matching.py prints the figures).
Results are cached per distinct question text, so a batch of rows sharing a few questions
matches each question once.
"""

from __future__ import annotations

import bisect
import math
import os
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Literal

from mockinterview.domain.pack import Question, RolePack
from mockinterview.grading.match_rule import Decision, MatcherUnavailable
from mockinterview.grading.text import content_stems

MatcherChoice = Literal["auto", "tfidf", "semantic"]
MATCHER_CHOICES: tuple[str, ...] = ("auto", "tfidf", "semantic")
MATCHER_ENV = "MOCKINTERVIEW_MATCHER"

# Field weights of the tfidf matcher (see the module docstring).
FIELD_WEIGHTS: dict[str, float] = {
    "question": 1.0,
    "follow_ups": 0.5,
    "key_points": 0.5,
    "expressions": 0.3,
    "context": 0.15,
    "reference": 0.15,
}
# A term outside the question texts counts this much of its other-field document frequency
# towards its IDF: rubric vocabulary shared by many answers says little about which question.
OTHER_FIELD_DF = 0.5
PREFIX_MIN = 4  # letters a stem must keep to meet a longer or shorter stem of the pack
PREFIX_CREDIT = 0.8

# Common abbreviations an interviewer uses for what the bank spells out.
ABBREVIATIONS: dict[str, str] = {
    "ml": "machine learning",
    "ai": "artificial intelligence",
    "ds": "data science",
    "eda": "exploratory data analysis",
    "clv": "customer lifetime value",
    "ltv": "lifetime value",
    "nlp": "natural language processing",
    "mlops": "machine learning operations",
    "ctr": "click-through rate",
}
_ABBREVIATION_RE = re.compile(r"\b(" + "|".join(ABBREVIATIONS) + r")\b", re.IGNORECASE)


TFIDF_DECISION = Decision(threshold=0.325, floor=0.28, margin=0.2)

_TEXT_CACHE_MAX_LEN = 2000
_TEXT_CACHE_SIZE = 4096
_INDEX_CACHE_SIZE = 8


@dataclass(frozen=True)
class QuestionMatch:
    """The outcome of matching one question text to the bank.

    ``question`` is the accepted bank question (None when nothing matched well enough);
    ``similarity`` is the best candidate's score either way. The runner-up is the best bank
    question not chosen: the second-ranked one after a match, the nearest one when nothing
    matched. ``matcher`` names the matcher that ranked them ("tfidf" or "semantic").
    """

    question: Question | None
    similarity: float
    runner_up_id: str | None
    runner_up_similarity: float | None
    matcher: str

    def grade_fields(self) -> dict[str, object]:
        """The Grade fields that report this match."""
        return {
            "matched_question_id": self.question.id if self.question else None,
            "match_similarity": self.similarity,
            "runner_up_question_id": self.runner_up_id,
            "runner_up_similarity": self.runner_up_similarity,
            "matcher": self.matcher,
        }


# ---------------------------------------------------------------------------------------------
# tfidf


def _fields(q: Question) -> dict[str, str]:
    return {
        "question": f"{q.text} {q.topic}",
        "follow_ups": " ".join(f.text for f in q.follow_ups),
        "key_points": " ".join(kp.text for kp in q.key_points),
        "expressions": " ".join(e for kp in q.key_points for e in kp.expressions),
        "context": q.context,
        "reference": q.reference_answer,
    }


def query_stems(text: str) -> frozenset[str]:
    """Content stems of a question text, with common abbreviations spelled out."""
    return frozenset(content_stems(_ABBREVIATION_RE.sub(lambda m: ABBREVIATIONS[m.group(1).lower()], text)))


class TfidfMatcher:
    """The pack's questions as weighted stem bags (see the module docstring)."""

    name = "tfidf"
    decision = TFIDF_DECISION

    def __init__(self, pack: RolePack) -> None:
        self.questions = list(pack.questions)
        self.docs: list[dict[str, float]] = []
        self.cores: list[frozenset[str]] = []
        df_question: Counter[str] = Counter()
        df_any: Counter[str] = Counter()
        for q in self.questions:
            weights: dict[str, float] = {}
            for name, text in _fields(q).items():
                w = FIELD_WEIGHTS[name]
                for stem in content_stems(text):
                    if weights.get(stem, 0.0) < w:
                        weights[stem] = w
            core = frozenset(content_stems(_fields(q)["question"]))
            self.docs.append(weights)
            self.cores.append(core)
            df_question.update(core)
            df_any.update(weights)
        n = len(self.questions)
        self.idf = {
            t: math.log((n + 1) / (df_question[t] + OTHER_FIELD_DF * (c - df_question[t]) + 0.5))
            for t, c in df_any.items()
        }
        self.unknown_idf = math.log((n + 1) / 0.5)
        self.vocabulary = sorted(self.idf)
        self.core_weights = [sum(self.idf[t] for t in core) for core in self.cores]

    def _related(self, stem: str) -> set[str]:
        """Known stems that extend ``stem`` or that it extends, at PREFIX_MIN letters or more."""
        out = {stem[:k] for k in range(PREFIX_MIN, len(stem)) if stem[:k] in self.idf}
        if len(stem) >= PREFIX_MIN:
            i = bisect.bisect_left(self.vocabulary, stem)
            while i < len(self.vocabulary) and self.vocabulary[i].startswith(stem):
                out.add(self.vocabulary[i])
                i += 1
        out.discard(stem)
        return out

    def scores(self, text: str) -> list[float]:
        stems = query_stems(text)
        if not stems:
            return [0.0] * len(self.questions)
        weight: dict[str, float] = {}
        related: dict[str, set[str]] = {}
        for t in stems:
            if t in self.idf:
                weight[t], related[t] = self.idf[t], set()
            else:
                related[t] = self._related(t)
                weight[t] = max((self.idf[v] for v in related[t]), default=self.unknown_idf)
        total = sum(weight.values())
        # Bank-side coverage: a bank stem counts as said when the query has it or a related stem.
        said = {t: 1.0 for t in stems if t in self.idf}
        for rel in related.values():
            for v in rel:
                said.setdefault(v, PREFIX_CREDIT)
        out = []
        for doc, core, core_weight in zip(self.docs, self.cores, self.core_weights, strict=True):
            held = 0.0
            for t, w in weight.items():
                m = doc.get(t, 0.0)
                for v in related[t]:
                    m = max(m, PREFIX_CREDIT * doc.get(v, 0.0))
                held += w * m
            query_coverage = held / total
            bank_coverage = (
                sum(self.idf[t] * said.get(t, 0.0) for t in core) / core_weight if core_weight else 0.0
            )
            out.append((query_coverage + bank_coverage) / 2)
        return out


# ---------------------------------------------------------------------------------------------
# Choosing a matcher and matching


def resolve_matcher(choice: str | None = None) -> str:
    """The matcher to use: an explicit choice, else $MOCKINTERVIEW_MATCHER, else ``auto`` —
    semantic when its extra is installed and its files check out, else tfidf.

    Raises MatcherUnavailable when ``semantic`` is asked for and cannot run, and ValueError
    for an unknown name."""
    choice = (choice or os.environ.get(MATCHER_ENV) or "auto").strip().lower()
    if choice not in MATCHER_CHOICES:
        raise ValueError(f"unknown matcher {choice!r}; choose one of {', '.join(MATCHER_CHOICES)}")
    if choice == "tfidf":
        return "tfidf"
    # optional extra (mockinterview[semantic]): only when that matcher runs
    from mockinterview.grading import semantic

    reason = semantic.unavailable_reason()
    if reason is None:
        return "semantic"
    if choice == "semantic":
        raise MatcherUnavailable(f"the semantic matcher cannot run: {reason}")
    return "tfidf"


_MATCHERS: OrderedDict[tuple[str, str], object] = OrderedDict()


def _pack_key(pack: RolePack) -> str:
    return pack.content_hash or f"object:{id(pack)}"


def matcher_for(pack: RolePack, name: str):
    """The pack's matcher of that name, built once per pack content hash."""
    key = (name, _pack_key(pack))
    hit = _MATCHERS.get(key)
    if hit is not None and (pack.content_hash or hit.pack is pack):
        _MATCHERS.move_to_end(key)
        return hit
    if name == "semantic":
        # optional extra (mockinterview[semantic]): only when that matcher runs
        from mockinterview.grading.semantic import SemanticMatcher

        built = SemanticMatcher(pack)
    else:
        built = TfidfMatcher(pack)
    built.pack = pack
    built.cache = OrderedDict()
    _MATCHERS[key] = built
    if len(_MATCHERS) > _INDEX_CACHE_SIZE:
        _MATCHERS.popitem(last=False)
    return built


def _rank(matcher, text: str) -> QuestionMatch:
    questions = matcher.questions
    scores = matcher.scores(text)
    if not questions:
        return QuestionMatch(None, 0.0, None, None, matcher.name)
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    best = order[0]
    best_score = round(max(0.0, scores[best]), 3)
    second = order[1] if len(order) > 1 else None
    second_score = round(max(0.0, scores[second]), 3) if second is not None else 0.0
    if best_score > 0 and matcher.decision.accepts(best_score, second_score):
        runner_id = questions[second].id if second is not None else None
        return QuestionMatch(
            questions[best], best_score, runner_id, second_score if second is not None else None, matcher.name
        )
    if best_score <= 0:
        return QuestionMatch(None, 0.0, None, None, matcher.name)
    return QuestionMatch(None, best_score, questions[best].id, best_score, matcher.name)


def find_question(question_text: str, pack: RolePack, matcher: str | None = None) -> QuestionMatch:
    """Match a free-text question to the pack's bank with the chosen matcher (see resolve_matcher)."""
    name = resolve_matcher(matcher)
    text = (question_text or "").strip()
    if not text:
        return QuestionMatch(None, 0.0, None, None, name)
    m = matcher_for(pack, name)
    cacheable = len(text) <= _TEXT_CACHE_MAX_LEN
    if cacheable:
        hit = m.cache.get(text)
        if hit is not None:
            m.cache.move_to_end(text)
            return hit
    result = _rank(m, text)
    if cacheable:
        m.cache[text] = result
        if len(m.cache) > _TEXT_CACHE_SIZE:
            m.cache.popitem(last=False)
    return result


def candidates(question_text: str, pack: RolePack, matcher: str | None = None, k: int = 3) -> list[tuple[Question, float]]:
    """The ``k`` bank questions nearest to ``question_text``, best first, with their scores."""
    m = matcher_for(pack, resolve_matcher(matcher))
    text = (question_text or "").strip()
    if not text or not m.questions:
        return []
    scores = m.scores(text)
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
    return [(m.questions[i], round(max(0.0, scores[i]), 3)) for i in order]


def match_question(
    question_text: str, pack: RolePack, matcher: str | None = None
) -> tuple[Question | None, float]:
    """The bank question ``question_text`` asks and the similarity, or (None, best similarity)."""
    found = find_question(question_text, pack, matcher)
    return found.question, found.similarity
