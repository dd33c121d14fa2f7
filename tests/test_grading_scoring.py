"""The one score formula (grading/scoring.py), checked by hand-computed cases."""

from __future__ import annotations

import pytest

from mockinterview.domain.grade import BehavioralCheck, KeyPointCoverage, MistakeFinding
from mockinterview.grading.scoring import compute_score


def kp(id_: str, covered: bool, credit: float | None = None, misconception: str | None = None):
    return KeyPointCoverage(id=id_, text=id_, covered=covered, credit=credit, misconception=misconception)


def finding(id_: str) -> MistakeFinding:
    return MistakeFinding(id=id_, evidence="quote")


def checks(present: int, total: int = 7) -> list[BehavioralCheck]:
    ids = ["situation", "task", "action", "result", "quantified-impact", "ownership", "business-framing"]
    return [BehavioralCheck(id=i, present=n < present) for n, i in enumerate(ids[:total])]


def test_full_coverage_is_five_and_none_is_one():
    assert compute_score([kp("a", True), kp("b", True)], {}, [], [], [], "concept") == 5.0
    assert compute_score([kp("a", False), kp("b", False)], {}, [], [], [], "concept") == 1.0


def test_weights_decide_the_share():
    # a (weight 2) covered, b (weight 1) missed: C = 2/3 -> 1 + 4 * (2/3) / 0.8 = 4.33
    assert compute_score([kp("a", True), kp("b", False)], {"a": 2.0, "b": 1.0}, [], [], [], "concept") == 4.3
    # the other way round: C = 1/3 -> 2.67
    assert compute_score([kp("a", False), kp("b", True)], {"a": 2.0, "b": 1.0}, [], [], [], "concept") == 2.7


def test_eighty_percent_of_the_rubric_earns_full_base_marks():
    points = [kp(str(i), i < 4) for i in range(5)]
    assert compute_score(points, {}, [], [], [], "concept") == 5.0


def test_partial_credit_counts():
    # C = (1 + 0.2) / 2 = 0.6 -> 1 + 4 * 0.75 = 4.0
    assert compute_score([kp("a", True), kp("b", False, credit=0.2)], {}, [], [], [], "concept") == 4.0


def test_a_major_mistake_puts_the_answer_below_the_bar_and_more_cost_more():
    full = [kp("a", True)]
    # one major mistake: capped at 3.0, minus 0.25
    assert compute_score(full, {}, [finding("x")], [], [], "concept") == 2.8
    # the same mistake twice counts once
    assert compute_score(full, {}, [finding("x"), finding("x")], [], [], "concept") == 2.8
    # two: cap 2.5 - 0.5; five: cap 2.0 - 0.75 (the penalty stops at 0.75)
    assert compute_score(full, {}, [finding("x"), finding("y")], [], [], "concept") == 2.0
    many = [finding(f"m{i}") for i in range(5)]
    assert compute_score(full, {}, many, [], [], "concept") == 1.2


def test_a_minor_mistake_costs_less():
    full = [kp("a", True)]
    minor = MistakeFinding(id="gap", evidence="quote", severity="minor")
    assert compute_score(full, {}, [minor], [], [], "concept") == 3.2
    # a weak answer is not lifted by the cap: C = 0.5 -> 3.5, capped at 3.5, minus 0.25
    assert compute_score([kp("a", True), kp("b", False)], {}, [minor], [], [], "concept") == 3.2


def test_misconceptions_cost_on_top_of_the_lost_point():
    points = [kp("a", True), kp("b", False, misconception="wrong words")]
    # C = 0.5 -> 1 + 4 * 0.625 = 3.5, minus 0.5
    assert compute_score(points, {}, [], [], [], "concept") == 3.0


def test_behavioral_mixes_key_points_and_checks():
    # C = 0.5, B = 5/7 -> Q = 0.4 * 0.5 + 0.6 * 0.714 = 0.629 -> 1 + 4 * 0.786 = 4.1
    assert compute_score([kp("a", True), kp("b", False)], {}, [], checks(5), [], "behavioral") == 4.1
    # C = 0, B = 3/7 -> Q = 0.257 -> 1 + 4 * 0.321 = 2.3
    assert compute_score([kp("a", False)], {}, [], checks(3), [], "behavioral") == 2.3
    # checks alone when there are no key points: B = 1 -> 5.0
    assert compute_score([], {}, [], checks(7), [], "behavioral") == 5.0


@pytest.mark.parametrize(
    ("flag", "cap"),
    [("empty", 1.0), ("injection", 1.5), ("template-syntax", 1.5), ("off-topic", 2.0), ("keyword-list", 2.0)],
)
def test_flags_cap_a_perfect_answer(flag, cap):
    assert compute_score([kp("a", True)], {}, [], [], [flag], "concept") == cap


def test_repetition_costs_half_a_point_and_unknown_flags_cost_nothing():
    assert compute_score([kp("a", True)], {}, [], [], ["repetitive"], "concept") == 4.5
    assert compute_score([kp("a", True)], {}, [], [], ["truncated"], "concept") == 5.0


def test_score_stays_in_range_with_one_decimal():
    points = [kp("a", False), kp("b", False, misconception="x"), kp("c", True)]
    score = compute_score(points, {}, [finding("m1"), finding("m2")], [], ["repetitive"], "concept")
    assert score == 1.0
    score = compute_score([kp("a", True), kp("b", False), kp("c", False)], {}, [], [], [], "concept")
    assert score == round(score, 1) == 2.7


def test_mistakes_cost_below_a_cap():
    # Full coverage capped at 2.5 (too short), then two major mistakes: cap 2.5, minus 0.5.
    full = [kp("a", True)]
    assert compute_score(full, {}, [], [], ["too-short"], "concept") == 2.5
    assert compute_score(full, {}, [finding("x"), finding("y")], [], ["too-short"], "concept") == 2.0
    # A cap never raises a score: no coverage stays at the floor.
    assert compute_score([kp("a", False)], {}, [finding("x")], [], ["too-short"], "concept") == 1.0


def test_no_reference_is_a_note_not_a_cap():
    assert compute_score([kp("a", True)], {}, [], [], ["no-reference"], "concept") == 5.0
