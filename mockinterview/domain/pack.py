"""Role packs: rounds, questions, key points, follow-up probes and the common-mistake list.

Packs are data (``rubrics/<role>/``) validated by these models. Validation is strict
(unknown fields are errors) so a typo in a mentor's pack is reported, not ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from mockinterview.domain.detectors import DetectorSpec
from mockinterview.domain.rounds import ROUND_ORDER  # noqa: F401  (re-exported)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# Rounds are declared by each pack (pack.toml [[rounds]]); the default pack's, used where no
# pack is at hand, are domain.rounds.ROUND_ORDER.
RoundId = Slug

# The six ids every pack keeps with these names (DESIGN.md, "The common-mistake list").
CANONICAL_MISTAKE_IDS: tuple[str, ...] = (
    "metrics-without-impact",
    "leakage-unchecked",
    "needless-complexity",
    "correlation-as-causation",
    "no-monitoring",
    "data-quality-ignored",
)


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KeyPoint(StrictModel):
    """One thing a strong answer covers.

    ``expressions`` are the ways a candidate may say it: short phrases whose content
    words must all appear, in any order, within one sentence of the answer (after
    lower-casing and light stemming). ``misconceptions`` are phrases that state the
    point wrongly; an answer that matches one does not get credit for the point.

    A misconception counts only where the candidate asserts it, its words within one
    clause: not negated or qualified ("SMOTE is never run on the whole dataset", "not
    always"), not retracted or doubted, not named as a pitfall ("... is a classic
    mistake"), and not in a clause that only describes it ("if you ...", "people often
    ..."; language.toml ``described_openers``). A sentence that denies a misconception
    denies no key point's words. Because words match in any order, a misconception must
    carry what makes it wrong ("always", "proves", "whole dataset", the swapped subject):
    the right statement must not contain all of its content words.
    """

    id: Slug
    text: Text
    expressions: list[Text] = Field(min_length=1)
    misconceptions: list[Text] = Field(default_factory=list)
    weight: float = Field(default=1.0, gt=0, le=5)


class FollowUp(StrictModel):
    """A probe the interviewer can ask after the main answer.

    ``targets`` names the key point or mistake ids this probe digs into, so the stub
    interviewer can pick the probe that matches what the answer missed or got wrong.
    """

    text: Text
    targets: list[Slug] = Field(default_factory=list)


class Fact(StrictModel):
    """A fact of a question's scenario the interviewer shares when the candidate asks for it
    (a base rate, a cost, the data available, a constraint), in the pack author's words.

    ``about`` are the words a clarifying question about it would use: the fact is shared when
    every content word of one of them appears in what the candidate asked (light stemming).
    A question with no facts (and no context) gets "I can't share that; assume what you'd
    need and say so."
    """

    about: list[Text] = Field(min_length=1)
    text: Text


class Question(StrictModel):
    id: Slug
    round: RoundId
    kind: Literal["concept", "case", "behavioral"] = "concept"
    topic: Text
    text: Text
    # Facts the interviewer may share when the candidate asks a clarifying question
    # (data available, constraints, business context). Never the reference answer.
    context: Text
    # The scenario's facts, one by one, with the words that ask for each (see Fact); when
    # empty, the interviewer answers from the sentences of ``context``.
    facts: list[Fact] = Field(default_factory=list)
    key_points: list[KeyPoint] = Field(min_length=2)
    reference_answer: Text
    follow_ups: list[FollowUp] = Field(min_length=2)
    mistakes: list[Slug] = Field(default_factory=list)
    time_limit_s: int = Field(default=300, ge=30, le=3600)

    @model_validator(mode="after")
    def _unique_key_points(self) -> Question:
        ids = [kp.id for kp in self.key_points]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate key point ids: {', '.join(dupes)}")
        return self

    def key_point(self, key_point_id: str) -> KeyPoint:
        for kp in self.key_points:
            if kp.id == key_point_id:
                return kp
        raise KeyError(key_point_id)


class MistakeExample(StrictModel):
    """An answer that makes (or avoids) the mistake. ``rubrics lint`` and the tests run the
    offline grader on every example: on ``question`` when given, else as an answer to a
    question prone to the mistake."""

    answer: Text
    note: str = ""
    question: Slug | None = None


class Mistake(StrictModel):
    """An entry of the role's common-mistake list.

    ``cues`` are phrases whose assertion suggests the mistake, ``counter_cues`` phrases
    whose assertion anywhere in the answer clears it; ``detectors`` configure the grader's
    detector kinds for it (see DetectorSpec).
    """

    id: Slug
    title: Text
    definition: Text
    why_it_costs: Text
    how_to_fix: Text
    positive_examples: list[MistakeExample] = Field(min_length=1)  # answers that make the mistake
    negative_examples: list[MistakeExample] = Field(min_length=1)  # answers that avoid it
    cues: list[Text] = Field(default_factory=list)
    counter_cues: list[Text] = Field(default_factory=list)
    # Rounds whose answers may make this mistake (ids of pack.toml [[rounds]]); empty: all.
    applies_to: list[RoundId] = Field(default_factory=list)
    # How the offline grader finds it (domain/detectors.py: a kind and its settings), and
    # whether only on the questions that list it as a mistake they are prone to.
    detectors: list[DetectorSpec] = Field(default_factory=list)
    prone_only: bool = False
    # How the interviewer challenges it after quoting the candidate's words back ("You said
    # "our AUC was 0.99" - <challenge>"): a question starting lower-case. None: a generic one.
    challenge: Text | None = None
    # "major": experts put an answer that makes it below the bar (score capped at 3, then
    # lower for each further one); "minor": it costs less (see grading/scoring.py).
    severity: Literal["major", "minor"] = "major"


class RoundSpec(StrictModel):
    id: RoundId
    title: Text
    description: Text
    default_questions: int = Field(default=3, ge=1, le=50)


class PackMeta(StrictModel):
    """The ``pack.toml`` of a role pack."""

    id: Slug
    name: Text
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?$")]
    description: Text
    role_summary: Text
    rounds: list[RoundSpec] = Field(min_length=1)


class PackLexicon(StrictModel):
    """The optional ``lexicon.toml`` of a pack: its domain's word lists, read by the grader.

    ``hazards`` name things a good answer keeps away from (leakage, peeking, jargon): a
    key phrase naming one still counts when the answer negates it ("make sure nothing
    leaks"), because keeping away from it is the practice.
    """

    hazards: list[Text] = Field(default_factory=list)
    # The domain's words beyond the pack's own texts (see grading: "off-topic").
    vocabulary: list[Text] = Field(default_factory=list, max_length=20000)
    # Named word lists the mistake detectors use (mistakes.toml refers to them by name).
    lists: dict[Slug, list[Text]] = Field(default_factory=dict)


class RolePack(StrictModel):
    meta: PackMeta
    mistakes: list[Mistake]
    questions: list[Question]
    lexicon: PackLexicon = Field(default_factory=PackLexicon)
    # sha256 over the pack's files (sorted by relative path); set by the loader.
    content_hash: str = ""

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def version(self) -> str:
        return self.meta.version

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def mistake(self, mistake_id: str) -> Mistake:
        for m in self.mistakes:
            if m.id == mistake_id:
                return m
        raise KeyError(mistake_id)

    def applies(self, mistake: Mistake, round_id: str | None) -> bool:
        """Whether ``mistake`` is looked for in an answer of ``round_id`` (None: any round)."""
        return round_id is None or not mistake.applies_to or round_id in mistake.applies_to

    def questions_for(self, round_id: RoundId) -> list[Question]:
        return [q for q in self.questions if q.round == round_id]

    @model_validator(mode="after")
    def _cross_references(self) -> RolePack:
        problems: list[str] = []
        mistake_ids = [m.id for m in self.mistakes]
        for dup in sorted({i for i in mistake_ids if mistake_ids.count(i) > 1}):
            problems.append(f"mistakes: duplicate id {dup!r}")
        q_ids = [q.id for q in self.questions]
        for dup in sorted({i for i in q_ids if q_ids.count(i) > 1}):
            problems.append(f"questions: duplicate id {dup!r}")
        round_ids = {r.id for r in self.meta.rounds}
        for i, m in enumerate(self.mistakes):
            for r in m.applies_to:
                if r not in round_ids:
                    problems.append(f"mistakes[{i}].applies_to: round {r!r} is not declared in pack.toml")
        known_mistakes = set(mistake_ids)
        for q in self.questions:
            if q.round not in round_ids:
                problems.append(f"question {q.id}: round {q.round!r} is not declared in pack.toml")
            for m in q.mistakes:
                if m not in known_mistakes:
                    problems.append(f"question {q.id}: unknown mistake id {m!r}")
            targets_known = known_mistakes | {kp.id for kp in q.key_points}
            for i, fu in enumerate(q.follow_ups):
                for t in fu.targets:
                    if t not in targets_known:
                        problems.append(f"question {q.id}: follow_ups[{i}] targets unknown id {t!r}")
        lists = set(self.lexicon.lists)
        for i, m in enumerate(self.mistakes):
            for j, spec in enumerate(m.detectors):
                for setting, ref in spec.list_settings().items():
                    if isinstance(ref, str) and ref not in lists:
                        known = ", ".join(sorted(lists)) or "none"
                        problems.append(
                            f"mistakes[{i}].detectors[{j}].{setting}: no word list {ref!r} in lexicon.toml "
                            f"(lists: {known})"
                        )
        if problems:
            raise ValueError("; ".join(problems))
        return self
