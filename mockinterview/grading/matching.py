"""Phrase matching with negation and hedging (the rules of ``KeyPoint.expressions``).

A phrase matches a sentence when every content word of the phrase (after stemming)
occurs in that sentence, in any order. Phrases whose meaning rests on function words
(fewer than two content words among several words: "so we should", "trained once") must
occur as a contiguous run instead, otherwise they would match almost anything. A phrase that itself contains a negation ("did not monitor") matches only a
sentence where one of its words is in a negation's scope; any other phrase records
whether its match was negated or hedged, and the caller decides what that means (a
negated mistake cue is no finding; a negated key-point expression still counts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from mockinterview.grading.text import Analysis, Sentence, tokenize

EVIDENCE_LIMIT = 220


@dataclass(frozen=True, slots=True)
class Phrase:
    source: str
    stems: frozenset[str]
    # For phrases made only of function words: the exact stem sequence to find.
    sequence: tuple[str, ...] | None
    negative: bool  # the phrase states a negation ("no monitoring")

    @property
    def sequence_stems(self) -> frozenset[str]:
        return _sequence_set(self.sequence or ())


class Match(NamedTuple):
    # A tuple, not a frozen dataclass: every key point's expressions are matched per answer.
    phrase: Phrase
    sentence: Sentence
    positions: tuple[int, ...]  # token indexes within the sentence
    negated: bool
    hedged: bool

    def within_one_clause(self, analysis: Analysis) -> bool:
        """True when the matched words sit in one clause. A wrong definition must be stated,
        not assembled from two right ones ("precision is the share of predicted positives
        that are truly positive; recall is the share of actual positives we catch")."""
        tokens = self.sentence.tokens
        span = analysis.text[tokens[min(self.positions)].start : tokens[max(self.positions)].end]
        return _CLAUSE_BREAK.search(span) is None

    def quote(self, analysis: Analysis) -> str:
        """The sentence the phrase matched in, verbatim (a window around it if long)."""
        s = self.sentence
        if s.end - s.start <= EVIDENCE_LIMIT:
            return analysis.quote(s.start, s.end, EVIDENCE_LIMIT)
        first = max(0, min(self.positions) - 4)
        last = min(len(s.tokens) - 1, max(self.positions) + 4)
        return analysis.quote(s.tokens[first].start, s.tokens[last].end, EVIDENCE_LIMIT)


_CLAUSE_BREAK = re.compile(
    r"[;:]|,\s*(?:and|so|then|therefore|thus|hence|which|because)\b|\b(?:while|whereas|but|whilst)\b", re.IGNORECASE
)


@lru_cache(maxsize=4096)
def _sequence_set(sequence: tuple[str, ...]) -> frozenset[str]:
    return frozenset(sequence)


@lru_cache(maxsize=16384)
def compile_phrase(text: str) -> Phrase | None:
    tokens = tokenize(text)
    if not tokens:
        return None
    negative = any(t.negation for t in tokens)
    stems = frozenset(t.stem for t in tokens if t.content)
    seq = tuple(t.stem for t in tokens if not t.negation)
    # Two or more content words: any order. Fewer ("so we should", "trained once"): the
    # function words carry the meaning, so the words must appear as written, in a row.
    if len(stems) >= 2 or (stems and len(seq) == 1):
        return Phrase(text, stems, None, negative)
    return Phrase(text, stems, seq, negative) if seq else None


def _match_sentence(phrase: Phrase, sentence: Sentence) -> Match | None:
    toks = sentence.tokens
    if phrase.sequence is None:
        if not phrase.stems <= sentence.stems:
            return None
        positions = _tightest(toks, phrase.stems)
    else:
        if not phrase.sequence_stems <= sentence.all_stems:
            return None
        # Negations are skipped on both sides, so "did not monitor" contains "did monitor".
        index = [i for i, t in enumerate(toks) if not t.negation]
        stems = [toks[i].stem for i in index]
        n = len(phrase.sequence)
        at = next((i for i in range(len(stems) - n + 1) if tuple(stems[i : i + n]) == phrase.sequence), None)
        if at is None:
            return None
        positions = index[at : at + n]
    in_scope = any(p in sentence.negated for p in positions)
    if phrase.negative:
        # "did not monitor" needs a negation governing "monitor"; it is then an
        # affirmative statement of the negative fact.
        if not in_scope:
            return None
        in_scope = False
    return Match(phrase, sentence, tuple(sorted(positions)), in_scope, sentence.hedged)


def _tightest(toks, wanted: frozenset[str]) -> list[int]:
    """One token per wanted stem, from the shortest run of tokens holding them all (the
    earliest such run): "does not always beat rules, so I compare with the current rules"
    matches "compare current rules" on the second "rules", not the first."""
    hits = [(i, t.stem) for i, t in enumerate(toks) if t.content and t.stem in wanted]
    if len(hits) == len(wanted):
        return [i for i, _ in hits]
    have: dict[str, int] = {}
    best: tuple[int, int, int] | None = None
    left = 0
    for right, (pos, st) in enumerate(hits):
        have[st] = have.get(st, 0) + 1
        while len(have) == len(wanted):
            span = pos - hits[left][0]
            if best is None or span < best[0]:
                best = (span, left, right)
            gone = hits[left][1]
            have[gone] -= 1
            if not have[gone]:
                del have[gone]
            left += 1
    assert best is not None  # every wanted stem is in the sentence (checked by the caller)
    chosen: dict[str, int] = {}
    for pos, st in hits[best[1] : best[2] + 1]:
        chosen.setdefault(st, pos)
    return list(chosen.values())


def find_matches(phrase: Phrase, analysis: Analysis) -> list[Match]:
    stems = phrase.stems
    if not stems <= analysis.stems:
        return []  # cheap rejection: a word of the phrase is nowhere in the answer
    out = []
    unordered = phrase.sequence is None
    for sentence in analysis.sentences:
        if unordered and not stems <= sentence.stems:
            continue  # (the test _match_sentence starts with, without the call)
        m = _match_sentence(phrase, sentence)
        if m is not None:
            out.append(m)
    return out


def compile_all(texts: list[str]) -> list[Phrase]:
    return [p for p in (compile_phrase(t) for t in texts) if p is not None]
