"""Detectors for the common-mistake list.

A mistake is found when one of its cues matches in a sentence that is neither negated
nor hedged ("I would NOT push everyone to X" and "a common trap is to say X causes Y"
are not the mistake), and none of its counter cues matches un-negated anywhere in the
answer ("we never checked for leakage" does not clear leakage-unchecked). Some mistakes
add code-level checks:

* leakage-unchecked: a near-perfect score (AUC/accuracy >= 0.97) reported as is;
* correlation-as-causation: observational evidence (an association, "users who...", a
  coefficient, feature importance) and, un-negated and unhedged, a prescription or a
  causal reading of it ("so the app reduces churn", "we should roll it out");
* data-quality-ignored / no-monitoring (absence checks): the answer plans or reports
  training a model ("I'd train an XGBoost model"), or deploying one ("we shipped it"),
  and never mentions the data's quality, or production monitoring.

A metric cue counts for metrics-without-impact only in a sentence that reports a
value ("an AUC of 0.91"): naming a metric is not the mistake. Absence checks and the
generic cues (metrics, model families) run only on questions the rubric marks as
prone to that mistake; otherwise any answer mentioning a model or a metric would be
flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mockinterview.domain.grade import MistakeFinding
from mockinterview.domain.pack import Mistake
from mockinterview.grading.matching import Phrase, compile_all, find_matches
from mockinterview.grading.text import Analysis, Sentence

# Cues that are ordinary vocabulary (any answer about metrics says "AUC", any answer about
# model families says "neural network"): only checked when the question is prone to it.
PRONE_ONLY = frozenset({"metrics-without-impact", "needless-complexity"})
# Mentioning a metric is not the mistake; reporting a metric's VALUE as the outcome is.
NEEDS_A_NUMBER = frozenset({"metrics-without-impact"})

_HIGH_SCORE_RE = re.compile(
    r"\b(?:auc|roc[- ]?auc|accuracy|f1|precision|recall|r2|r-squared)\b[^.!?\n]{0,40}?"
    r"(?:0?\.9[7-9]\d*|1\.0+\b|9[7-9](?:\.\d+)?\s*%|100\s*%)"
    r"|(?:0?\.9[7-9]\d*|9[7-9](?:\.\d+)?\s*%|100\s*%)[^.!?\n]{0,25}?\b(?:auc|accuracy|f1|precision|recall)\b",
)
_ASSOCIATION_RE = re.compile(
    r"\b(?:correlat\w*|associated with|(?:users|customers|people|clients|students|those|patients|stores) who|"
    r"\d+(?:\.\d+)?\s*(?:x|times) (?:more|higher|better|less|lower)|\d+(?:\.\d+)?\s*%\s*(?:more|higher|better|"
    r"less|lower|worse)|versus|vs|compared? (?:with|to) (?:everyone|the rest|other|those|non)|coefficient|"
    r"feature importances?|shap|opted in(?:to)?|who (?:use|used|saw|have|had))\b",
)
# A causal reading of that evidence: "so the app reduces churn", "it's a causal driver".
_CAUSAL_CLAIM_RE = re.compile(
    r"\b(?:so|therefore|thus|hence)\b[^.!?\n]{0,60}?\b(?:reduces|increases|raises|causes|drives|improves|lowers|"
    r"works|prevents|will (?:raise|reduce|increase|lower|improve|bring|cut|drive))\b|"
    r"\b(?:a causal driver|causal drivers?|levers? to pull|make (?:it|the \w+) mandatory|move everyone|"
    r"everyone onto|tells? you what (?:drives|causes)|we should (?:roll|move|push|make|add|get|force|require|"
    r"launch) \w+)\b",
)
_PRESCRIPTION_RE = re.compile(
    r"\b(?:so|therefore|thus|hence|which means)\b,?\s+(?:we|you|i|the (?:company|business|team))\s+"
    r"(?:should|must|need to|ought to|have to|will)\b|"
    r"\b(?:should|must|let's|need to)\s+(?:push|encourage|get|make|force|incentivi[sz]e|nudge|require)\b",
)
# A high TRAINING score, or a train/validation gap, is overfitting talk, not a leakage red flag.
_TRAINING_SCORE_STEMS = frozenset({"train", "overfit", "gap"})
# Planning or reporting a model / a deployment in the first person (absence checks).
_MODEL_PLAN_RE = re.compile(
    r"\b(?:i|we|i'd|we'd|let's|i'll|we'll)\s+(?:would\s+|will\s+|then\s+|just\s+|first\s+|directly\s+|"
    r"immediately\s+|simply\s+)*(?:train|trained|build|built|fit|fitted|fine-tune|fine-tuned|finetune|throw|"
    r"threw|feed|fed|apply|applied|"
    r"use|used|go with|went with|pick|picked|choose|chose)\b[^.!?\n]{0,60}?\b(?:model|classifier|regression|"
    r"xgboost|lightgbm|forest|network|algorithm|gbm|boosting|svm|transformer|bert|llm)\b",
)
_DEPLOY_RE = re.compile(
    r"\b(?:i|we|i'd|we'd|i'll|we'll)\s+(?:would\s+|will\s+|then\s+|just\s+|finally\s+)*(?:deploy|deployed|"
    r"ship|shipped|launch|launched|release|released|roll(?:ed)? (?:it )?out|put (?:it|the model) (?:live|"
    r"in(?:to)? production))\b",
)


@dataclass(frozen=True)
class CompiledMistake:
    mistake: Mistake
    cues: list[Phrase]
    counter_cues: list[Phrase]

    @classmethod
    def build(cls, mistake: Mistake) -> CompiledMistake:
        return cls(mistake, compile_all(mistake.cues), compile_all(mistake.counter_cues))

    @property
    def id(self) -> str:
        return self.mistake.id


def _has_number(sentence: Sentence) -> bool:
    return any(t.text[:1].isdigit() or t.text[:1] == "." for t in sentence.tokens)


def _cleared(cm: CompiledMistake, analysis: Analysis) -> bool:
    return any(not m.negated for p in cm.counter_cues for m in find_matches(p, analysis))


def _plain(sentence: Sentence) -> bool:
    return not sentence.hedged and not sentence.negated


def _quote(analysis: Analysis, sentence: Sentence) -> str:
    return analysis.quote(sentence.start, sentence.end)


def _regex_sentence(analysis: Analysis, pattern: re.Pattern[str], *extra: re.Pattern[str]) -> Sentence | None:
    for s in analysis.sentences_matching(pattern):
        if _plain(s) and all(p.search(analysis.lowered, s.start, s.end) for p in extra):
            return s
    return None


def _code_check(cm: CompiledMistake, analysis: Analysis, prone: bool) -> Sentence | None:
    mid = cm.id
    if mid == "leakage-unchecked":
        s = _regex_sentence(analysis, _HIGH_SCORE_RE)
        return s if s is not None and not (s.stems & _TRAINING_SCORE_STEMS) else None
    if mid == "correlation-as-causation":
        # Observational evidence somewhere in the answer, then a causal claim or an
        # intervention built on it.
        if not _ASSOCIATION_RE.search(analysis.lowered):
            return None
        return _regex_sentence(analysis, _PRESCRIPTION_RE) or _regex_sentence(analysis, _CAUSAL_CLAIM_RE)
    if mid == "data-quality-ignored" and prone:
        return _regex_sentence(analysis, _MODEL_PLAN_RE)
    if mid == "no-monitoring" and prone:
        return _regex_sentence(analysis, _DEPLOY_RE)
    return None


def detect(
    analysis: Analysis, compiled: list[CompiledMistake], prone: frozenset[str]
) -> list[MistakeFinding]:
    """Findings for the given mistakes, each with a verbatim quote from the answer."""
    findings: list[MistakeFinding] = []
    for cm in compiled:
        is_prone = cm.id in prone
        if cm.id in PRONE_ONLY and not is_prone:
            continue
        if _cleared(cm, analysis):
            continue
        evidence = None
        needs_number = cm.id in NEEDS_A_NUMBER
        for phrase in cm.cues:
            hit = next(
                (
                    m
                    for m in find_matches(phrase, analysis)
                    if not (m.negated or m.hedged) and (not needs_number or _has_number(m.sentence))
                ),
                None,
            )
            if hit is not None:
                evidence = hit.quote(analysis)
                break
        if evidence is None:
            sentence = _code_check(cm, analysis, is_prone)
            if sentence is not None:
                evidence = _quote(analysis, sentence)
        if evidence:
            findings.append(MistakeFinding(id=cm.id, evidence=evidence, note=cm.mistake.title))
    return findings
