"""What the interviewer follows up on, chosen from what the latest answer got wrong or left out.

The same choice feeds the offline stub and a language model (``conversation.interviewer_request``
renders it into the follow-up prompt), so both interviewers listen the same way:

1. a mistake the grader found in *this* answer is challenged with the candidate's own words
   ("You said "our AUC was 0.99" — what would you check before trusting it?"); the challenge
   is the pack's data (``Mistake.challenge``), the phrasing a template (``prompts/stub/follow_up.j2``);
2. else the bank probe whose targets best match what was got wrong (mistakes count double) or
   missed — never one that targets a key point the answers to this question already covered;
3. else nothing: the interviewer moves on.

A choice is never made twice for one question (``key``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mockinterview.domain.grade import Grade
from mockinterview.domain.pack import FollowUp, Mistake, Question, RolePack

# A quote longer than this is cut back to the clause that best shows the mistake.
QUOTE_WORDS = 14
# Clause boundaries: punctuation inside a sentence, and the conjunctions that join two claims.
_CLAUSES = re.compile(
    r"\s*(?:[,;:()]|\s[-–—]\s|\b(?:so|which|because|and then|but|therefore|thus)\b)\s*", re.I
)
_WORDS = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_TRIM = " \t\n\"'“”‘’.,;:!?-–—"


@dataclass(frozen=True)
class FollowUpChoice:
    """One follow-up: a challenge to ``mistake`` quoting ``quote``, or the bank ``probe``."""

    key: str  # "mistake:<id>" or "probe:<index>"
    probe: FollowUp | None = None
    mistake: Mistake | None = None
    quote: str = ""
    # The candidate's own words that covered key points already: what not to ask about again.
    # Their quotes, never the rubric's texts - the interviewer is never told the rubric.
    covered: list[str] = field(default_factory=list)
    found: list[dict[str, str]] = field(default_factory=list)  # mistakes in this answer: title, quote

    @property
    def text(self) -> str:
        """The bank's words for it (a challenge's are the pack's challenge line)."""
        if self.probe is not None:
            return self.probe.text
        return (self.mistake.challenge or "") if self.mistake is not None else ""

    def prompt_data(self) -> dict[str, Any]:
        """The follow-up prompt's inputs beyond the probe text (for the stub and a model alike)."""
        m = self.mistake
        return {
            "quote": self.quote,
            "challenge": (m.challenge or "") if m else "",
            "mistake_title": m.title if m else "",
            "mistake_definition": " ".join(m.definition.split()) if m else "",
            "covered": list(self.covered),
            "mistakes_found": list(self.found),
        }


_COMMON = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "all",
        "our",
        "was",
        "were",
        "that",
        "this",
        "are",
        "from",
        "you",
        "would",
        "its",
    ]
)


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in _WORDS.findall(text.lower()) if len(w) > 2 and w not in _COMMON}


def challenge_quote(evidence: str, mistake: Mistake | None = None) -> str:
    """The candidate's words to quote back: the evidence sentence, or - when it is long - its
    clause sharing most words with the mistake's definition, cut only at clause boundaries
    (never mid-phrase)."""
    text = " ".join(evidence.split()).strip(_TRIM)
    if len(text.split()) <= QUOTE_WORDS:
        return text
    clauses = [c.strip(_TRIM) for c in _CLAUSES.split(text) if c and c.strip(_TRIM)]
    clauses = [c for c in clauses if len(c.split()) >= 3] or clauses
    if not clauses:
        return text
    about = _words(f"{mistake.title} {mistake.definition}") if mistake else set()
    best = max(clauses, key=lambda c: (len(_words(c) & about), -abs(len(c.split()) - 8)))
    return best


def choose_follow_up(
    question: Question, pack: RolePack | None, grade: Grade, answer_text: str, used: set[str]
) -> FollowUpChoice | None:
    """The follow-up for ``grade`` (of every answer to ``question`` so far), whose latest
    answer is ``answer_text``; None when nothing is worth following up. ``used``: keys
    already chosen for this question."""
    covered = list(dict.fromkeys(k.evidence for k in grade.key_points if k.covered and k.evidence))
    said = " ".join(answer_text.split())
    found = [
        {"title": m.title if m else f.id, "quote": challenge_quote(f.evidence, m)}
        for f in grade.mistakes
        if f.evidence and " ".join(f.evidence.split()) in said
        for m in [_mistake(pack, f.id)]
    ]
    for finding in grade.mistakes:
        key = f"mistake:{finding.id}"
        evidence = " ".join((finding.evidence or "").split())
        if key in used or not evidence or evidence not in said:
            continue  # asked about already, or said in an earlier answer (challenged then)
        mistake = _mistake(pack, finding.id)
        quote = challenge_quote(evidence, mistake)
        return FollowUpChoice(key, mistake=mistake, quote=quote, covered=covered, found=found)
    index = choose_probe(question, grade, {int(k.split(":")[1]) for k in used if k.startswith("probe:")})
    if index is None:
        return None
    return FollowUpChoice(f"probe:{index}", probe=question.follow_ups[index], covered=covered, found=found)


def choose_probe(question: Question, grade: Grade, exclude: set[int]) -> int | None:
    """The bank follow-up whose targets best match what the answer got wrong (mistakes
    count double) or missed; never one aimed at a key point already covered; None when
    there is nothing worth probing."""
    covered = {k.id for k in grade.key_points if k.covered}
    missed = {k.id for k in grade.key_points if not k.covered}
    found = {m.id for m in grade.mistakes}
    best: tuple[int, int] | None = None
    for i, probe in enumerate(question.follow_ups):
        targets = set(probe.targets)
        if i in exclude or targets & covered:
            continue
        score = 2 * len(targets & found) + len(targets & missed)
        if score > 0 and (best is None or score > best[0]):
            best = (score, i)
    return best[1] if best else None


def _mistake(pack: RolePack | None, mistake_id: str) -> Mistake | None:
    if pack is None:
        return None
    try:
        return pack.mistake(mistake_id)
    except KeyError:
        return None
