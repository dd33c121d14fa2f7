"""Grading against a free-text reference answer.

The reference is cut into key points (its sentences and clauses). Each key point gets
partial credit for the share of its content words the answer uses, after stemming,
with half credit for a near form (same first five letters: "recursion" / "recursive")
and a lower weight for words the question itself already contains (repeating the
question is not answering it). Credit grows as the square root of that share: people
paraphrase, so the first words found say more about understanding than the last ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mockinterview.domain.grade import KeyPointCoverage
from mockinterview.grading.text import Analysis, short_text_cache, tokenize

QUESTION_WORD_WEIGHT = 0.3  # weight of a reference word that the question also uses
NEAR_FORM_CREDIT = 0.6
CREDIT_EXPONENT = 0.5  # credit = share ** exponent (concave: partial paraphrase earns a fair part)
COVERED_AT = 0.5  # credit at or above which the point is reported as covered
MIN_POINT_WORDS = 2  # shorter fragments merge into their neighbour
CONTRADICTED_SHARE = 0.5  # share of a point's words the answer both asserts and denies

_CLAUSE_SPLIT_RE = re.compile(r"(?<=[.!?;:])\s+|\n+")


@dataclass(frozen=True, slots=True)
class ReferencePoint:
    id: str
    text: str
    stems: tuple[str, ...]  # distinct content stems, in order
    negative: bool = False  # the clause itself states a negation ("cannot inflate the score")


@short_text_cache(maxsize=1024, max_len=4000)
def derive_points(reference: str) -> tuple[ReferencePoint, ...]:
    pieces = [p.strip() for p in _CLAUSE_SPLIT_RE.split(reference) if p and p.strip()]
    merged: list[tuple[str, list[str]]] = []
    for piece in pieces:
        stems = _distinct(t.stem for t in tokenize(piece) if t.content)
        if merged and (len(stems) < MIN_POINT_WORDS or len(merged[-1][1]) < MIN_POINT_WORDS):
            text, prev = merged[-1]
            merged[-1] = (f"{text} {piece}", _distinct([*prev, *stems]))
        else:
            merged.append((piece, stems))
    return tuple(
        ReferencePoint(
            id=f"ref-{i + 1}",
            text=text.rstrip(";:,").strip(),
            stems=tuple(stems),
            negative=any(t.negation for t in tokenize(text)),
        )
        for i, (text, stems) in enumerate(merged)
        if stems
    )


def _distinct(stems) -> list[str]:
    seen: dict[str, None] = {}
    for s in stems:
        seen.setdefault(s, None)
    return list(seen)


def _term_credit(term: str, answer_stems: frozenset[str], prefixes: frozenset[str]) -> float:
    if term in answer_stems:
        return 1.0
    if len(term) >= 5 and term[:5] in prefixes:
        return NEAR_FORM_CREDIT
    return 0.0


def grade_points(
    points: tuple[ReferencePoint, ...] | list[ReferencePoint],
    analysis: Analysis,
    question_stems: frozenset[str],
    denied: frozenset[str] = frozenset(),
    contradicted: frozenset[str] = frozenset(),
) -> list[KeyPointCoverage]:
    """Credit per reference point. ``denied``: stems the answer only uses denied; they
    count only for a point that is itself stated with a negation. ``contradicted``: stems
    it both asserts and denies; a point mostly made of them is said both ways, so it
    earns nothing and is marked as a contradiction."""
    asserted_stems = analysis.stems - denied
    all_prefixes = frozenset(s[:5] for s in analysis.stems if len(s) >= 5)
    asserted_prefixes = frozenset(s[:5] for s in asserted_stems if len(s) >= 5)
    out: list[KeyPointCoverage] = []
    for point in points:
        answer_stems = analysis.stems if point.negative else asserted_stems
        prefixes = all_prefixes if point.negative else asserted_prefixes
        total = 0.0
        got = 0.0
        found: set[str] = set()
        for term in point.stems:
            weight = QUESTION_WORD_WEIGHT if term in question_stems else 1.0
            credit = _term_credit(term, answer_stems, prefixes)
            total += weight
            got += weight * credit
            if credit:
                found.add(term)
        share = got / total if total else 0.0
        both = sum(
            QUESTION_WORD_WEIGHT if t in question_stems else 1.0 for t in point.stems if t in contradicted
        )
        if not point.negative and total and both / total >= CONTRADICTED_SHARE:
            out.append(
                KeyPointCoverage(
                    id=point.id,
                    text=point.text,
                    covered=False,
                    credit=0.0,
                    misconception=_best_sentence(analysis, found & contradicted),
                    contradicts=_best_sentence(analysis, found & contradicted),
                )
            )
            continue
        credit = share**CREDIT_EXPONENT
        evidence = _best_sentence(analysis, found) if found else None
        out.append(
            KeyPointCoverage(
                id=point.id,
                text=point.text,
                covered=credit >= COVERED_AT,
                evidence=evidence,
                credit=round(credit, 3),
            )
        )
    return out


def _best_sentence(analysis: Analysis, found: set[str]) -> str | None:
    best = None
    best_hits = 0
    for s in analysis.sentences:
        hits = len(s.stems & found)
        if hits > best_hits:
            best, best_hits = s, hits
    if best is None:
        return None
    return analysis.quote(best.start, best.end)
