"""Lexicons: the word lists the offline grader reads answers with, kept as data.

``rubrics/common/*.toml`` hold what every pack shares (how English denies, doubts,
retracts or explains a claim); a pack's own ``lexicon.toml`` holds its domain's word lists
(see ``PackLexicon`` in ``domain/pack.py``). Entries are lower-case words or word sequences
matched on an answer's tokens.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Entry = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=80)]
Entries = Annotated[list[Entry], Field(min_length=1, max_length=5000)]


class LanguageLexicon(BaseModel):
    """``rubrics/common/language.toml``: how claims are denied, doubted, retracted or explained."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    negations: Entries
    negation_idioms: Entries
    reversals: Entries
    scope_breaks: Entries
    qualifiers: Entries
    dismissals: Entries
    worthless: Entries
    negated_dismissals: Entries
    stance_verbs: Entries
    stance_breaks: Entries
    phrasal_verbs: Entries
    determiner_negations: Entries
    verbal_determiners: Entries
    prepositions: Entries
    conditionals: Entries
    described_openers: Entries
    doubts: Entries
    retract_all: Entries
    retract_last: Entries
    withdraw_verbs: Entries
    whole_references: Entries
    last_references: Entries
    answer_references: Entries
    back_references: Entries
    withdrawing: Entries
    answer_parts: Entries
    endorsements: Entries
    concessions: Entries
    overrides: Entries
    replacements: Entries
    remedial_reversals: Entries
    item_breakers: Entries
    tail_prepositions: Entries
    clause_subjects: Entries
    purpose_markers: Entries
    speaking_subjects: Entries
    speaking_aux: Entries
    rejections: Entries
    refusal_verbs: Entries
    first_person: Entries
    anaphors: Entries
    anaphoric_subjects: Entries
    definitions: Entries
    explanations: Entries
    fillers: Entries


class VocabularyLexicon(BaseModel):
    """``rubrics/common/vocabulary.toml``: general English, the words any answer may use."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    general: Annotated[list[Entry], Field(min_length=1, max_length=20000)]


class StoryLexicon(BaseModel):
    """``rubrics/common/story.toml``: the words of a behavioral story's parts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    situation: Entries
    task: Entries
    result: Entries
    vague_results: Entries
    units: Entries
    fractions: Entries
    past_verbs: Entries
    business: Entries


# --------------------------------------------------------------------------- hostile answers

LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Char = Annotated[str, StringConstraints(min_length=1, max_length=1)]
PhrasesByLanguage = dict[LanguageCode, Entries]


class HostileWindows(BaseModel):
    """How many tokens may stand between the two parts of an order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    directive: int = Field(ge=1, le=20)
    award: int = Field(ge=1, le=20)
    output: int = Field(ge=1, le=20)
    address: int = Field(ge=1, le=20)
    role: int = Field(ge=1, le=20)
    probe: int = Field(ge=1, le=20)


class HostilePhrases(BaseModel):
    """Phrase lists by language; what each one is for is said in ``rubrics/common/hostile.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    directive_verbs: PhrasesByLanguage
    drop_targets: PhrasesByLanguage
    award_verbs: PhrasesByLanguage
    award_objects: PhrasesByLanguage
    top_grades: PhrasesByLanguage
    graded_objects: PhrasesByLanguage
    deserve_verbs: PhrasesByLanguage
    score_targets: PhrasesByLanguage
    out_of: PhrasesByLanguage
    score_nouns: PhrasesByLanguage
    output_verbs: PhrasesByLanguage
    grader_nouns: PhrasesByLanguage
    address_markers: PhrasesByLanguage
    role_phrases: PhrasesByLanguage
    capacities: PhrasesByLanguage
    role_openers: PhrasesByLanguage
    role_nouns: PhrasesByLanguage
    probe_verbs: PhrasesByLanguage
    question_probes: PhrasesByLanguage
    strong_secret_targets: PhrasesByLanguage
    secret_targets: PhrasesByLanguage
    weak_secret_targets: PhrasesByLanguage
    secret_qualifiers: PhrasesByLanguage
    strong_secret_qualifiers: PhrasesByLanguage
    role_labels: PhrasesByLanguage
    claims: PhrasesByLanguage
    softeners: PhrasesByLanguage
    recipients: PhrasesByLanguage
    determiners: PhrasesByLanguage
    coordinators: PhrasesByLanguage
    addressees: PhrasesByLanguage


class EnumerationCues(BaseModel):
    """Question wordings whose natural answer is a list of terms."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    imperatives: Entries
    verbs: Entries
    counts: Entries
    explanations: Entries


class HostileLexicon(BaseModel):
    """``rubrics/common/hostile.toml``: what an answer that talks to the grader looks like, in
    several languages, and the character tables its text is normalised with first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    languages: list[LanguageCode] = Field(min_length=1)
    scale_tops: list[int] = Field(min_length=1)
    role_tags: Entries
    invisible: list[Char] = Field(default_factory=list)
    windows: HostileWindows
    number_words: dict[LanguageCode, dict[Entry, int]]
    phrases: HostilePhrases
    homoglyphs: dict[Char, Char]
    symbols: dict[Char, Char] = Field(default_factory=dict)
    leet: dict[Char, Char] = Field(default_factory=dict)
    enumeration: EnumerationCues

    @model_validator(mode="after")
    def _consistent(self) -> HostileLexicon:
        known = set(self.languages)
        used = set(self.number_words)
        for name in HostilePhrases.model_fields:
            used |= set(getattr(self.phrases, name))
        if used - known:
            raise ValueError(f"languages not declared in 'languages': {sorted(used - known)}")
        for table, what in ((self.homoglyphs, "homoglyphs"), (self.symbols, "symbols")):
            bad = [k for k, v in table.items() if k.isascii() or not v.isascii()]
            if bad:
                raise ValueError(f"{what}: each entry maps a non-ASCII character to an ASCII one: {bad}")
        bad = [k for k, v in self.homoglyphs.items() if not v.isalpha()]
        if bad:
            raise ValueError(f"homoglyphs: each entry maps to a letter: {bad}")
        bad = [k for k, v in self.leet.items() if k.isalpha() or not (v.isascii() and v.isalpha())]
        if bad:
            raise ValueError(f"leet: each entry maps a digit or sign to an ASCII letter: {bad}")
        if any(not 2 <= top <= 1000 for top in self.scale_tops):
            raise ValueError("scale_tops: each top of a scale is between 2 and 1000")
        return self


class GeneralCheck(BaseModel):
    """One check of the general rubric: a sentence the candidate stands by that does it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    terms: Annotated[list[Entry], Field(max_length=5000)] = []
    explanations: bool = False  # the language lexicon's explanation words count
    figures: bool = False  # a figure counts ("cut churn by 3 points")


class GeneralRubric(BaseModel):
    """``rubrics/common/general.toml``: what any good answer to a free question does, for a
    question that matches no bank question and comes with no reference answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    share: float = Field(default=0.5, gt=0, lt=1)  # of the grade; the question's own terms have the rest
    checks: Annotated[list[GeneralCheck], Field(min_length=1, max_length=20)]
