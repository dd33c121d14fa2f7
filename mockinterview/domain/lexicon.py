"""Lexicons: the word lists the offline grader reads answers with, kept as data.

``rubrics/common/*.toml`` hold what every pack shares (how English denies, doubts,
retracts or explains a claim); a pack's own ``lexicon.toml`` holds its domain's word lists
(see ``PackLexicon`` in ``domain/pack.py``). Entries are lower-case words or word sequences
matched on an answer's tokens.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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
    doubts: Entries
    retract_all: Entries
    retract_last: Entries
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
