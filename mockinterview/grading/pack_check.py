"""Checks of a pack that need the grader: its examples run, its word lists match.

``rubrics lint`` reports these beside the loader's problems: an example the offline grader
gets wrong is an error (the pack promises something the grader does not do), a word list
entry or phrase with nothing to match, a mistake with no way to be found offline, or a
missing canonical mistake id are warnings.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockinterview.domain.pack import CANONICAL_MISTAKE_IDS, Mistake, Question, RolePack
from mockinterview.grading.heuristic import grade_answer
from mockinterview.grading.matching import compile_phrase
from mockinterview.grading.terms import TermSet


@dataclass(frozen=True)
class PackFinding:
    file: str
    location: str
    message: str


@dataclass(frozen=True)
class ExampleOutcome:
    mistake_id: str
    location: str  # mistakes[i].positive_examples[j]
    question_id: str | None
    expected: bool  # the example makes the mistake
    found: bool
    evidence: str | None

    @property
    def ok(self) -> bool:
        return self.found == self.expected


def example_question(pack: RolePack, mistake: Mistake, wanted: str | None) -> Question | None:
    """The question an example is graded on: the one it names, else the first question
    prone to the mistake, else the first of a round the mistake applies to."""
    if wanted:
        try:
            return pack.question(wanted)
        except KeyError:
            return None
    prone = [q for q in pack.questions if mistake.id in q.mistakes]
    if prone:
        return prone[0]
    return next((q for q in pack.questions if pack.applies(mistake, q.round)), None)


def run_examples(pack: RolePack) -> list[ExampleOutcome]:
    """Grade every positive and negative example of every mistake."""
    out: list[ExampleOutcome] = []
    for i, mistake in enumerate(pack.mistakes):
        for field, expected in (("positive_examples", True), ("negative_examples", False)):
            for j, example in enumerate(getattr(mistake, field)):
                location = f"mistakes[{i}].{field}[{j}]"
                question = example_question(pack, mistake, example.question)
                if question is None:
                    out.append(ExampleOutcome(mistake.id, location, example.question, expected, not expected, None))
                    continue
                grade = grade_answer(example.answer, question, pack)
                hit = next((m for m in grade.mistakes if m.id == mistake.id), None)
                out.append(
                    ExampleOutcome(
                        mistake.id, location, question.id, expected, hit is not None, hit.evidence if hit else None
                    )
                )
    return out


def example_problems(pack: RolePack) -> list[PackFinding]:
    """Examples the offline grader gets wrong, as lint errors."""
    problems = []
    for o in run_examples(pack):
        if o.ok:
            continue
        if o.question_id is None or (o.found != o.expected and o.evidence is None and not o.expected and o.found):
            message = "no question to grade the example on (name one with question = ...)"
        elif o.expected:
            message = f"the offline grader does not find {o.mistake_id!r} in this example (graded on {o.question_id})"
        else:
            message = (
                f"the offline grader finds {o.mistake_id!r} in this example that avoids it "
                f"(graded on {o.question_id}; it quotes: {o.evidence!r})"
            )
        problems.append(PackFinding("mistakes.toml", o.location, message))
    return problems


def pack_warnings(pack: RolePack) -> list[PackFinding]:
    """What the grader can use but probably should not look like this."""
    warnings: list[PackFinding] = []
    for i, mistake in enumerate(pack.mistakes):
        for field in ("cues", "counter_cues"):
            for j, phrase in enumerate(getattr(mistake, field)):
                if compile_phrase(phrase) is None:
                    warnings.append(PackFinding("mistakes.toml", f"mistakes[{i}].{field}[{j}]", "phrase has no words to match"))
        if not mistake.detectors and not mistake.cues:
            warnings.append(
                PackFinding(
                    "mistakes.toml",
                    f"mistakes[{i}]",
                    f"{mistake.id!r} has no detectors and no cues: the offline grader never finds it",
                )
            )
    for name, entries in pack.lexicon.lists.items():
        for j, entry in enumerate(entries):
            if not TermSet([entry]):
                warnings.append(PackFinding("lexicon.toml", f"lists.{name}[{j}]", "entry has no words to match"))
    ids = {m.id for m in pack.mistakes}
    missing = [c for c in CANONICAL_MISTAKE_IDS if c not in ids]
    if missing:
        warnings.append(
            PackFinding(
                "mistakes.toml",
                "",
                "the common-mistake list lacks canonical id(s) "
                + ", ".join(missing)
                + " (fine for a role they do not fit; reports comparing packs will not show them)",
            )
        )
    return warnings
