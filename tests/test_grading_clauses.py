"""A misconception must be stated within one clause: two correct definitions side by
side must not add up to a wrong one."""

from __future__ import annotations

import pytest

from mockinterview.grading import grade_answer
from mockinterview.packs.loader import load_pack


@pytest.fixture(scope="module")
def question_and_pack():
    pack = load_pack("data-scientist")
    return pack.question("precision-vs-recall"), pack


@pytest.mark.parametrize(
    "answer",
    [
        "Precision is the share of predicted positives that are truly positive; recall is the share of "
        "actual positives we catch.",
        "Precision is the share of predicted positives that are truly positive, and recall is the share "
        "of actual positives we catch.",
        "Precision is the share of flagged cases that are right, whereas recall is the share of actual "
        "positives found.",
    ],
)
def test_correct_definitions_side_by_side_are_not_a_misconception(question_and_pack, answer):
    question, pack = question_and_pack
    definitions = next(k for k in grade_answer(answer, question, pack).key_points if k.id == "definitions")
    assert definitions.misconception is None
    assert definitions.covered


def test_a_wrong_definition_in_one_clause_is_still_caught(question_and_pack):
    question, pack = question_and_pack
    answer = "Precision is the share of actual positives found by the model, and recall is about accuracy."
    definitions = next(k for k in grade_answer(answer, question, pack).key_points if k.id == "definitions")
    assert definitions.misconception is not None
    assert not definitions.covered
