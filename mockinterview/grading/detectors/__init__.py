"""Mistake detection: a registry of detector kinds, configured by each pack.

Knowledge is data, mechanism is code. A pack's ``mistakes.toml`` gives each mistake a list
of detectors, each a ``kind`` from this registry with settings that name word lists of the
pack's ``lexicon.toml``; nothing here knows a mistake id or a data-science word. The kinds:

* ``phrase`` (phrase.py): a term the candidate asserts, with optional company in its
  sentence or the answer, unless a remedy is asserted anywhere — e.g. a deployment with no
  monitoring anywhere, a causal conclusion drawn from observational evidence;
* ``score-at-face-value`` (scores.py): a score too good for the problem, or a sudden jump,
  reported without doubt;
* ``story-check`` (story.py): a behavioral story missing one of its parts (result,
  figures, ownership, business stake).

A mistake's ``cues`` and ``counter_cues`` are a ``phrase`` detector and its remedies, so
a pack written with cues alone still works. Every finding quotes the answer verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockinterview.domain.detectors import PhraseSpec, ScoreSpec, StorySpec
from mockinterview.domain.grade import MistakeFinding
from mockinterview.domain.pack import Mistake, RolePack
from mockinterview.grading.claims import ClaimReading
from mockinterview.grading.detectors.base import Context, Detector, ListResolver
from mockinterview.grading.detectors.phrase import PhraseDetector
from mockinterview.grading.detectors.scores import ScoreDetector
from mockinterview.grading.detectors.story import StoryDetector
from mockinterview.grading.terms import TermBank, TermSet
from mockinterview.grading.text import Analysis

# Each kind's settings (domain/detectors.py) and the mechanism that runs them.
REGISTRY: dict[type, type[Detector]] = {
    PhraseSpec: PhraseDetector,
    ScoreSpec: ScoreDetector,
    StorySpec: StoryDetector,
}

__all__ = ["REGISTRY", "CompiledMistake", "CompiledMistakes", "Context", "compile_mistakes", "detect"]


@dataclass(frozen=True)
class CompiledMistake:
    mistake: Mistake
    detectors: tuple[Detector, ...]
    remedies: TermSet | None  # counter cues: asserted anywhere, they clear the mistake

    @property
    def id(self) -> str:
        return self.mistake.id


def _compile_one(mistake: Mistake, resolver: ListResolver) -> CompiledMistake:
    detectors = [REGISTRY[type(spec)](spec, resolver) for spec in mistake.detectors]
    if mistake.cues:
        detectors.append(PhraseDetector(PhraseSpec(kind="phrase", terms=list(mistake.cues)), resolver))
    remedies = resolver.bank.add(TermSet(mistake.counter_cues)) if mistake.counter_cues else None
    return CompiledMistake(mistake, tuple(detectors), remedies)


@dataclass(frozen=True)
class CompiledMistakes:
    """The pack's mistakes with their detectors built, and the bank of every list they use."""

    by_id: dict[str, CompiledMistake]
    bank: TermBank

    def values(self):
        return self.by_id.values()

    def __getitem__(self, mistake_id: str) -> CompiledMistake:
        return self.by_id[mistake_id]


def compile_mistakes(pack: RolePack) -> CompiledMistakes:
    """The pack's mistakes with their detectors built (the pack checked its settings when
    it loaded)."""
    resolver = ListResolver(pack.lexicon.lists)
    by_id = {m.id: _compile_one(m, resolver) for m in pack.mistakes}
    return CompiledMistakes(by_id, resolver.bank)


def detect(
    analysis: Analysis,
    claims: ClaimReading,
    mistakes: list[CompiledMistake],
    prone: frozenset[str],
    *,
    story: bool = False,
    question_text: str = "",
    bank: TermBank | None = None,
    omissions: bool = True,
) -> list[MistakeFinding]:
    """Findings for ``mistakes`` in what the candidate stands by (``analysis``), one per
    mistake, each quoting the answer. ``story``: the question asks for one (behavioral).
    ``omissions``: run the secondary (omission) detectors when nothing said is a mistake."""
    base = Context(
        analysis=analysis, claims=claims, prone=False, story=story, question_text=question_text, bank=bank
    )
    contexts = {False: base, True: base.for_question(prone=True)}
    findings = _run(analysis, contexts, mistakes, prone, secondary=False)
    if not findings and omissions:
        with_omissions = [cm for cm in mistakes if any(d.secondary for d in cm.detectors)]
        findings = _run(analysis, contexts, with_omissions, prone, secondary=True)
    return findings


def _run(
    analysis: Analysis,
    contexts: dict[bool, Context],
    mistakes: list[CompiledMistake],
    prone: frozenset[str],
    *,
    secondary: bool,
) -> list[MistakeFinding]:
    """One finding per mistake from its primary (or, with ``secondary``, its secondary) detectors.
    ``contexts``: the answer's context for mistakes the question is (True) or is not prone to."""
    findings: list[MistakeFinding] = []
    for cm in mistakes:
        is_prone = cm.id in prone
        if cm.mistake.prone_only and not is_prone:
            continue
        ctx = contexts[is_prone]
        if cm.remedies is not None and ctx.remedied(cm.remedies):
            continue
        for detector in cm.detectors:
            if detector.secondary != secondary or (detector.prone_only and not is_prone):
                continue
            sentence = detector.find(ctx)
            if sentence is not None:
                evidence = analysis.quote(sentence.start, sentence.end)
                findings.append(
                    MistakeFinding(id=cm.id, evidence=evidence, note=cm.mistake.title, severity=cm.mistake.severity)
                )
                break
    return findings
