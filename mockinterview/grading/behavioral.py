"""Behavioral-answer checks: STAR parts (situation, task, action, result), a quantified
result, the candidate's own ownership, and business framing.

Each check reports the first sentence that shows it, quoted verbatim. A pack's
behavioral mistakes are ``story-check`` detectors (grading/detectors/story.py) on the
checks that fail.
"""

from __future__ import annotations

import re

from mockinterview.domain.grade import BehavioralCheck
from mockinterview.grading.text import Analysis, Sentence

# Past-tense actions after "I" / "we": common irregular verbs, plus any regular "-ed" form.
_I_VERBS = (
    r"built|led|wrote|rewrote|set up|ran|met|spoke|took|made|cut|chose|dug|sat|brought|taught|found|"
    r"reached out|pointed out|learnt|rebuilt|got|gave|told|kept|sent|spent|put|drew|won|held|began|caught|sold|"
    r"bought|thought|knew|saw|went|did|understood|[a-z]+ed"
)
_SITUATION_RE = re.compile(
    r"\b(?:when i was|while i was|at my (?:previous|last|current|first|old) (?:job|company|role|team|employer)|"
    r"in my (?:previous|last|current|first|old) (?:job|company|role|team|position)|last (?:year|quarter|month)|"
    r"(?:a few|two|three|several) (?:years|months) ago|we (?:had|were|faced)|our (?:team|company|client|product)|"
    r"the (?:company|team|client) (?:was|had|wanted)|i was (?:working|leading|a|the|on)|"
    r"at (?:a|an|the) [\w-]+ (?:company|startup|bank|retailer|agency|firm)|situation|back in|once,)",
)
_TASK_RE = re.compile(
    r"\b(?:my (?:goal|task|job|role|responsibility|mandate|brief)|i was (?:asked|tasked|responsible|expected|"
    r"assigned|hired|in charge|accountable|the (?:one|data scientist|lead|owner))|i needed to|i had to|we needed to|"
    r"we had to|the (?:goal|task|challenge|problem|objective|aim|ask|brief) was|objective|deadline|"
    r"needed someone to|it was up to me|i made it my (?:job|goal|priority)|i owned|i agreed (?:with|to)|"
    r"(?:asked|wanted|needed|told) (?:me|us) to|(?:asked|wanted) (?:me|us) for|i set out to|"
    r"i volunteered to|i took on)\b",
)
_ACTION_RE = re.compile(
    rf"\b(?:i|we)\s+(?:then\s+|first\s+|also\s+|quickly\s+|personally\s+)?(?:{_I_VERBS})\b"
)
_OWNERSHIP_RE = re.compile(
    rf"\bi\s+(?:then\s+|first\s+|also\s+|quickly\s+|personally\s+)?(?:{_I_VERBS})\b|"
    r"\b(?:my (?:decision|call|idea|proposal|responsibility)|i took (?:ownership|responsibility)|i owned)\b",
)
_RESULT_RE = re.compile(
    r"\b(?:as a result|resulted in|the result was|in the end|ultimately|eventually|the outcome|outcome was|"
    r"which (?:led|helped|meant|allowed|cut|saved|got)|led to|the impact|(?:reduced|increased|improved|saved|cut|"
    r"grew|boosted|raised|lowered|decreased|doubled|halved|tripled|lifted|dropped|fell|rose|shrank|cleared)|"
    r"went (?:down|up|from)|came (?:back|down|up)|from \S{1,40} to \S{1,40}|adopted|was promoted|got promoted|approved|"
    r"signed off|went live|rolled (?:it )?out|since then|after that|by the end|i accepted|they accepted|"
    r"agreed to|became|asked for it|started using|still (?:use|used|running)|i learned|i learnt|we learned|lesson|"
    # What changed afterwards, told without a result word.
    r"within (?:a|an|one|two|three|four|five|six|\d+) (?:days?|weeks?|months?|quarters?|years?)|"
    r"(?:days?|weeks?|months?|quarters?|years?) later|ever since|since then|is now|are now|now (?:use|uses|run|"
    r"runs|has|have)|no longer|stopped \w+ing|started \w+ing|back to|"
    r"(?:used|uses|using|adopted) it|in our (?:team's )?(?:checklist|process|template|playbook))\b",
)
# A vague outcome is still an outcome (unquantified-impact is the mistake there), but it
# does not make a nearby number a measured result.
_VAGUE_RESULT_RE = re.compile(
    r"\b(?:went (?:really |very |quite )?well|(?:was|were) (?:very |really |hugely |quite )?(?:successful|a success|"
    r"pleased|happy|delighted|thrilled)|made a (?:real |big |huge )?difference|(?:big|huge|great) impact)\b"
)
# A figure starts where a run of digits and separators starts, and is read to its end without
# giving anything back (possessive): a long run such as "1.2.3.4..." is then scanned once,
# not once per digit in it.
_QUANTITY_RE = re.compile(
    r"(?:[$€£]\s?\d[\d,.]*+\s?(?:k|m|bn|million|billion|thousand)?|(?<![\w.,])\.?\d[\d,.]*+\s?(?:%|percent|pp\b|"
    r"percentage points?|points?\b|pts\b|x\b|times\b|k\b|m\b|million|billion|thousand|basis points)|"
    r"\b(?:doubled|halved|tripled|in half)\b)",
)
_NUMBER_RE = re.compile(r"(?<![\w.,])\.?\d")  # where a number starts
_BUSINESS_RE = re.compile(
    r"\b(?:revenue|costs?|customers?|clients?|business|stakeholders?|profit\w*|sales|users?|budget|"
    r"decisions?|risk|margins?|executives?|ceo|cfo|churn|conversion|retention|roi|market\w*|pricing|prices?|"
    r"product (?:manager|team|owner|lead)|leadership|growth|savings?|efficien\w+|losses|fraud|compliance|"
    r"company|companies|offer|equity|salary|value|demand|inventory|stock(?:-outs?)?|waste|campaigns?|ops|"
    r"operations|managers?|stores?|suppliers?|orders?|support|csat|satisfaction|sla|quarter|deadline|"
    r"category|categories|buyers?|agents?|finance|promotions?|shipments?|deliver(?:y|ies))\b",
)
_WE_RE = re.compile(r"\b(?:we|the team|our team)\b")

CHECK_ORDER = ("situation", "task", "action", "result", "quantified-impact", "ownership", "business-framing")


def _first(analysis: Analysis, pattern: re.Pattern[str]) -> Sentence | None:
    return next(analysis.sentences_matching(pattern), None)


def _quantified(analysis: Analysis) -> Sentence | None:
    # A money/percent/multiple figure anywhere, or any number in a sentence about the outcome.
    figure = _first(analysis, _QUANTITY_RE)
    if figure is not None:
        return figure
    for s in analysis.sentences_matching(_NUMBER_RE):
        if _RESULT_RE.search(analysis.lowered, s.start, s.end):
            return s
    return None


def found_checks(analysis: Analysis) -> dict[str, Sentence | None]:
    """Each check with the first sentence that shows it (None when absent)."""
    return {
        "situation": _first(analysis, _SITUATION_RE),
        "task": _first(analysis, _TASK_RE),
        "action": _first(analysis, _ACTION_RE),
        "result": _first(analysis, _RESULT_RE) or _first(analysis, _VAGUE_RESULT_RE),
        "quantified-impact": _quantified(analysis),
        "ownership": _first(analysis, _OWNERSHIP_RE),
        "business-framing": _first(analysis, _BUSINESS_RE),
    }


def run_checks(analysis: Analysis) -> list[BehavioralCheck]:
    found = found_checks(analysis)
    return [
        BehavioralCheck(
            id=cid,  # type: ignore[arg-type]
            present=found[cid] is not None,
            evidence=analysis.quote(found[cid].start, found[cid].end) if found[cid] is not None else None,
        )
        for cid in CHECK_ORDER
    ]
