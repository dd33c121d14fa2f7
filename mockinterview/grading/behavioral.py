"""Behavioral-answer checks: STAR parts (situation, task, action, result), a quantified
result, the candidate's own ownership, and business framing.

Each check reports the first sentence that shows it, quoted verbatim. The words each
check looks for are data (rubrics/common/story.toml); what is code is how a story is read:

* situation: the scene (a situation phrase), or a story of three or more sentences that
  opens in the past tense;
* task: what was at stake or asked;
* action / ownership: "I" (action: or "we") followed closely by a verb in the past tense
  (an irregular one from the lexicon, or any regular "-ed" form);
* result: an outcome phrase after the opening sentence (or a vague one: "it went well");
* quantified impact: a figure with a measure ("1.5 points", "$40k", "5 out of 100", "from
  14 days to 3", "a third fewer"), or any number in a sentence that tells the result;
* business framing: a customer, money, risk or decision at stake.

A pack's behavioral mistakes are ``story-check`` detectors (grading/detectors/story.py) on
the checks that fail.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockinterview.domain.detectors import STORY_CHECKS
from mockinterview.domain.grade import BehavioralCheck
from mockinterview.domain.lexicon import StoryLexicon
from mockinterview.grading.terms import TermSet
from mockinterview.grading.text import Analysis, Sentence, Token
from mockinterview.packs.loader import load_common

ACTION_REACH = 3  # words between "I" and its past-tense verb ("I then quickly built")
SITUATION_MIN_SENTENCES = 3
_BE_PAST = frozenset({"was", "were", "had"})
_MONEY = ("$", "€", "£")


@dataclass(frozen=True)
class StoryRules:
    situation: TermSet
    task: TermSet
    result: TermSet
    vague_results: TermSet
    units: frozenset[str]
    unit_phrases: TermSet
    fractions: TermSet
    past_verbs: frozenset[str]
    business: TermSet

    @classmethod
    def build(cls, lex: StoryLexicon) -> StoryRules:
        return cls(
            situation=TermSet(lex.situation),
            task=TermSet(lex.task),
            result=TermSet(lex.result),
            vague_results=TermSet(lex.vague_results),
            units=frozenset(u for u in lex.units if " " not in u),
            unit_phrases=TermSet(u for u in lex.units if " " in u),
            fractions=TermSet(lex.fractions),
            past_verbs=frozenset(lex.past_verbs),
            business=TermSet(lex.business),
        )


_COMPILED: list[tuple[StoryLexicon, StoryRules]] = []


def story_rules() -> StoryRules:
    """The bundled story lexicon, compiled once per loaded version of the file."""
    lex = load_common("story", StoryLexicon)
    if not _COMPILED or _COMPILED[0][0] is not lex:
        _COMPILED[:] = [(lex, StoryRules.build(lex))]
    return _COMPILED[0][1]


def _first(analysis: Analysis, terms: TermSet, start: int = 0) -> Sentence | None:
    """The first sentence from position ``start`` on where the list matches. Only sentences
    holding one of its anchor words are tried (Analysis.sentences_with): an answer of
    thousands of sentences is not read once per list."""
    skipped = analysis.sentences[:start]
    return next(
        (
            s
            for s in analysis.sentences_with(terms.anchors)
            if not any(s is x for x in skipped) and terms.in_sentence(s)
        ),
        None,
    )


def _holding(analysis: Analysis, terms: TermSet) -> set[int]:
    """ids of the sentences that may hold the list (one of its anchor words is there)."""
    return {id(s) for s in analysis.sentences_with(terms.anchors)}


def _past(token: Token, rules: StoryRules) -> bool:
    word = token.text
    return word in rules.past_verbs or (len(word) > 4 and word.endswith("ed"))


def _acted(sentence: Sentence, rules: StoryRules, subjects: frozenset[str]) -> bool:
    toks = sentence.tokens
    for i, t in enumerate(toks):
        if t.text in subjects and any(_past(toks[j], rules) for j in range(i + 1, min(len(toks), i + 1 + ACTION_REACH))):
            return True
    return False


def _number(token: Token) -> bool:
    return token.text[:1].isdigit()


def _figure(analysis: Analysis, sentence: Sentence, rules: StoryRules, fractions: set[int]) -> bool:
    """A number with a measure: a unit after it, a money sign or "%" on it, a fraction word,
    "N out of M" or "from N to M". ``fractions``: _holding(analysis, rules.fractions)."""
    if id(sentence) in fractions and rules.fractions.in_sentence(sentence):
        return True
    text = analysis.text
    toks = sentence.tokens
    for i, t in enumerate(toks):
        if not _number(t):
            continue
        before = text[max(0, t.start - 2) : t.start]
        after = text[t.end : t.end + 2]
        if any(m in before for m in _MONEY) or after.lstrip().startswith("%"):
            return True
        nxt = toks[i + 1].text if i + 1 < len(toks) else ""
        if nxt in rules.units or (nxt in ("k", "m") and after[:1].isalpha()):
            return True
        if any(t2.text == "from" for t2 in toks[max(0, i - 3) : i]) and any(
            _number(t3) for t3 in toks[i + 1 : i + 5]
        ):
            return True
    # (the number first: most sentences have none, and then the phrases need no search)
    return any(_number(t) for t in toks) and any(True for _ in rules.unit_phrases.spans(sentence))


def found_checks(analysis: Analysis) -> dict[str, Sentence | None]:
    """Each check with the first sentence that shows it (None when absent)."""
    rules = story_rules()
    sentences = analysis.sentences
    situation = _first(analysis, rules.situation)
    if situation is None and len(sentences) >= SITUATION_MIN_SENTENCES:
        opening = sentences[0]
        if any(t.text in _BE_PAST or _past(t, rules) for t in opening.tokens):
            situation = opening
    # The outcome comes after the opening (a one-sentence story may hold all of it).
    later = 1 if len(sentences) > 1 else 0
    result = _first(analysis, rules.result, later) or _first(analysis, rules.vague_results)
    fractions = _holding(analysis, rules.fractions)
    quantified = next((s for s in sentences if _figure(analysis, s, rules, fractions)), None)
    if quantified is None:
        results = _holding(analysis, rules.result)
        quantified = next(
            (
                s
                for s in sentences[later:]
                if id(s) in results and rules.result.in_sentence(s) and any(_number(t) for t in s.tokens)
            ),
            None,
        )
    return {
        "situation": situation,
        "task": _first(analysis, rules.task),
        "action": next((s for s in sentences if _acted(s, rules, frozenset({"i", "we"}))), None),
        "result": result,
        "quantified-impact": quantified,
        "ownership": next((s for s in sentences if _acted(s, rules, frozenset({"i"}))), None),
        "business-framing": _first(analysis, rules.business),
    }


def run_checks(analysis: Analysis) -> list[BehavioralCheck]:
    found = found_checks(analysis)
    return [
        BehavioralCheck(
            id=cid,  # type: ignore[arg-type]
            present=found[cid] is not None,
            evidence=analysis.quote(found[cid].start, found[cid].end) if found[cid] is not None else None,
        )
        for cid in STORY_CHECKS
    ]
