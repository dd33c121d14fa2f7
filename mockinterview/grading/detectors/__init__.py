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

from pydantic import ValidationError

from mockinterview.domain.grade import MistakeFinding
from mockinterview.domain.pack import Mistake, RolePack
from mockinterview.grading.claims import ClaimReading
from mockinterview.grading.detectors.base import Context, Detector, ListResolver, UnknownList
from mockinterview.grading.detectors.phrase import PhraseDetector
from mockinterview.grading.detectors.scores import ScoreDetector
from mockinterview.grading.detectors.story import StoryDetector
from mockinterview.grading.terms import TermSet
from mockinterview.grading.text import Analysis

REGISTRY: dict[str, type[Detector]] = {
    "phrase": PhraseDetector,
    "score-at-face-value": ScoreDetector,
    "story-check": StoryDetector,
}

__all__ = ["REGISTRY", "CompiledMistake", "Context", "DetectorProblem", "check_pack", "compile_mistakes", "detect"]


@dataclass(frozen=True)
class DetectorProblem:
    """A detector setting the grader cannot use, with where it is in the pack."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"mistakes.toml: {self.location}: {self.message}"


@dataclass(frozen=True)
class CompiledMistake:
    mistake: Mistake
    detectors: tuple[Detector, ...]
    remedies: TermSet | None  # counter cues: asserted anywhere, they clear the mistake

    @property
    def id(self) -> str:
        return self.mistake.id


def _compile_one(mistake: Mistake, index: int, resolver: ListResolver, problems: list[DetectorProblem]):
    detectors: list[Detector] = []
    for j, spec in enumerate(mistake.detectors):
        where = f"mistakes[{index}].detectors[{j}]"
        cls = REGISTRY.get(spec.kind)
        if cls is None:
            known = ", ".join(sorted(REGISTRY))
            problems.append(DetectorProblem(f"{where}.kind", f"unknown detector kind {spec.kind!r} (known: {known})"))
            continue
        try:
            detector = cls.model_validate(spec.model_dump(by_alias=True))
            detector.bind(resolver)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                problems.append(DetectorProblem(f"{where}.{loc}" if loc else where, err["msg"]))
            continue
        except UnknownList as exc:
            problems.append(DetectorProblem(where, str(exc)))
            continue
        detectors.append(detector)
    if mistake.cues:
        cue = PhraseDetector(kind="phrase", terms=list(mistake.cues))
        cue.bind(resolver)
        detectors.append(cue)
    remedies = TermSet(mistake.counter_cues) if mistake.counter_cues else None
    return CompiledMistake(mistake, tuple(detectors), remedies)


def compile_mistakes(pack: RolePack) -> tuple[dict[str, CompiledMistake], list[DetectorProblem]]:
    """The pack's mistakes with their detectors built, and every setting that failed."""
    resolver = ListResolver(pack.lexicon.lists)
    problems: list[DetectorProblem] = []
    out = {m.id: _compile_one(m, i, resolver, problems) for i, m in enumerate(pack.mistakes)}
    return out, problems


def check_pack(pack: RolePack) -> list[DetectorProblem]:
    """Detector settings of the pack that the grader cannot use (``rubrics lint``)."""
    return compile_mistakes(pack)[1]


def detect(
    analysis: Analysis,
    claims: ClaimReading,
    mistakes: list[CompiledMistake],
    prone: frozenset[str],
    *,
    story: bool = False,
    question_text: str = "",
) -> list[MistakeFinding]:
    """Findings for ``mistakes`` in what the candidate stands by (``analysis``), one per
    mistake, each quoting the answer. ``story``: the question asks for one (behavioral)."""
    findings: list[MistakeFinding] = []
    base = Context(analysis=analysis, claims=claims, prone=False, story=story, question_text=question_text)
    for cm in mistakes:
        is_prone = cm.id in prone
        if cm.mistake.prone_only and not is_prone:
            continue
        ctx = base.for_question(prone=is_prone)
        if cm.remedies is not None and ctx.remedied(cm.remedies):
            continue
        for detector in cm.detectors:
            if detector.prone_only and not is_prone:
                continue
            sentence = detector.find(ctx)
            if sentence is not None:
                evidence = analysis.quote(sentence.start, sentence.end)
                findings.append(
                    MistakeFinding(id=cm.id, evidence=evidence, note=cm.mistake.title, severity=cm.mistake.severity)
                )
                break
    return findings
