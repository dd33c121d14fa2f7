"""Behavioral checks: an outcome told without a result word still counts as a result."""

from __future__ import annotations

import pytest

from mockinterview.grading import grade_answer
from mockinterview.packs.loader import load_pack


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def mistake_ids(pack, question_id: str, answer: str) -> set[str]:
    return {m.id for m in grade_answer(answer, pack.question(question_id), pack).mistakes}


@pytest.mark.parametrize(
    "ending",
    [
        "Within a month every regional report used it, and nobody argued about the numbers in the review.",
        "Three months later the support team no longer escalated those tickets by hand.",
        "It is in our team's checklist now, and every model since has had a backtest before launch.",
    ],
)
def test_outcome_without_a_result_word_is_a_result(pack, ending):
    story = (
        "At my last company two teams reported different revenue numbers. I wrote a proposal, got both "
        "analysts in a room and we agreed on one definition. " + ending
    )
    assert "missing-result" not in mistake_ids(pack, "behavioral-leadership", story)


def test_story_that_stops_before_the_outcome_misses_the_result(pack):
    story = (
        "At my last company two teams reported different revenue numbers. I wrote a proposal and got both "
        "analysts in a room to talk it through for an hour."
    )
    assert "missing-result" in mistake_ids(pack, "behavioral-leadership", story)


def test_free_text_story_question_gets_the_behavioral_checks(pack):
    from mockinterview.grading import grade_free_text

    story = (
        "We built a recommendation engine for the homepage. The team used collaborative filtering and then "
        "we moved to a two-tower model, and it went live."
    )
    g = grade_free_text(story, "Tell me about a project you're proud of.", pack)
    assert g.behavioral and "no-ownership" in {m.id for m in g.mistakes}
