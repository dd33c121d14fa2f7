"""The settings of the grader's detector kinds, as a pack writes them in ``mistakes.toml``.

This is the data half of mistake detection: which kinds exist and what each can be told.
The mechanism that runs them lives in ``mockinterview.grading.detectors``. Settings that
name word lists (``terms = "metric-names"``) refer to lists of the pack's ``lexicon.toml``;
the pack checks they exist when it loads. A list may also be given inline.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

ListRef = Annotated[str | list[str], Field(union_mode="left_to_right")]

# The behavioral (story) checks, in report order: the one list the grader, the model
# grader's checklist, the grade and the feedback use.
StoryCheck = Literal["situation", "task", "action", "result", "quantified-impact", "ownership", "business-framing"]
STORY_CHECKS: tuple[StoryCheck, ...] = get_args(StoryCheck)


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    prone_only: bool = False  # only on questions that list the mistake as one they are prone to
    # An omission (a remedy missing from a whole plan) rather than something said: reported
    # only when nothing the candidate said shows a mistake. Expert labels name the mistakes
    # an answer makes; once it makes one, what else it leaves out is not what it is judged on.
    secondary: bool = False
    # A remedy said only before the trigger, in an earlier sentence, does not clear it: for
    # triggers that are a conclusion or a decision ("check leakage first ... the 0.98 is our
    # headline result, ship it"), the answer says both, and the later word is what it does.
    remedy_after_only: bool = False

    # Names of the settings that hold word lists.
    LIST_FIELDS: ClassVar[tuple[str, ...]] = ()

    def list_settings(self) -> dict[str, ListRef]:
        """The word-list settings that are set, by name."""
        return {name: getattr(self, name) for name in self.LIST_FIELDS if getattr(self, name) is not None}


class PhraseSpec(_Spec):
    """``phrase``: a term the candidate asserts, in the right company, with no remedy
    anywhere (see grading/detectors/phrase.py for each setting)."""

    kind: Literal["phrase"]
    terms: ListRef
    with_terms: ListRef | None = Field(default=None, alias="with")
    with_scope: Literal["sentence", "answer"] = "sentence"
    with_optional_when_prone: bool = False
    cleared_by: ListRef | None = None
    unless_in_sentence: ListRef | None = None
    contrast: ListRef | None = None
    needs_number: bool = False
    first_person: bool = False
    polarity: Literal["asserted", "denied"] = "asserted"
    stories: bool = True
    min_words: int = Field(default=0, ge=0, le=1000)

    LIST_FIELDS: ClassVar[tuple[str, ...]] = ("terms", "with_terms", "cleared_by", "unless_in_sentence", "contrast")


class ScoreSpec(_Spec):
    """``score-at-face-value``: a result too good for the problem, reported without doubt
    (grading/detectors/scores.py)."""

    kind: Literal["score-at-face-value"]
    metrics: ListRef
    near_perfect: ListRef | None = None
    results: ListRef | None = None
    doubt: ListRef | None = None
    training: ListRef | None = None
    approval: ListRef | None = None
    cleared_by: ListRef | None = None
    threshold: float = Field(default=0.97, gt=0, le=1)
    jump: float = Field(default=0.15, gt=0, le=1)
    jump_to: float = Field(default=0.85, gt=0, le=1)

    LIST_FIELDS: ClassVar[tuple[str, ...]] = ("metrics", "near_perfect", "results", "doubt", "training", "approval", "cleared_by")


class StorySpec(_Spec):
    """``story-check``: a behavioral story missing one of its parts
    (grading/detectors/story.py)."""

    kind: Literal["story-check"]
    check: StoryCheck
    needs_words: ListRef | None = None
    evidence_from: ListRef | None = None

    LIST_FIELDS: ClassVar[tuple[str, ...]] = ("needs_words", "evidence_from")


DetectorSpec = Annotated[PhraseSpec | ScoreSpec | StorySpec, Field(discriminator="kind")]
