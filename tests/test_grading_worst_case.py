"""Any 20 kB answer grades in the same order of time as an ordinary 20 kB answer.

A regex that backtracks, or a check that rescans its whole sentence for every match inside
it, makes some inputs quadratic: before this test, 20 kB of blank lines ending in "system",
of "1.2.1.2...", or of "gpus 1.5 gpus 1.5 ..." took seconds. Each family below (see
``pathological_inputs``) and a set of hypothesis-built ones is graded through the public API
the same ways an ordinary 20 kB answer is, in the same test, and must cost at most
``FACTOR`` times as much CPU plus ``SLACK``. Quadratic behaviour is 130-330x at this size
(measured on efe4e1f), so the bound catches it with a wide margin while staying insensitive to
a busy machine; a family that exceeds it once is measured again before it fails. The costliest
linear family is one word per line: 6,667 one-word sentences, thirty times as many as the
ordinary answer, each with the detectors' fixed cost per sentence (7-10x as of 4db20f5).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pathological_inputs import (
    SIZE,
    cpu_seconds,
    fill,
    grader_vocabulary,
    grading_workload,
    hand_made_families,
    ordinary_answer,
    vocabulary_families,
)

from mockinterview.packs.loader import load_pack

FACTOR = 15.0
SLACK = 0.05  # seconds

PACK = load_pack()
GRADE = grading_workload(PACK)


@pytest.fixture(scope="module")
def ordinary_cost() -> float:
    text = ordinary_answer(PACK)
    GRADE(text)  # warm the caches the way every later call will find them
    return cpu_seconds(lambda: GRADE(text), repeats=3)


def assert_bounded(text: str, ordinary: float, name: str) -> None:
    assert len(text) == SIZE
    cost = cpu_seconds(lambda: GRADE(text))
    if cost > FACTOR * ordinary + SLACK:
        cost = cpu_seconds(lambda: GRADE(text), repeats=2)
    assert cost <= FACTOR * ordinary + SLACK, (
        f"{name}: {cost:.3f} s against {ordinary:.3f} s for an ordinary answer ({cost / ordinary:.1f}x)"
    )


FAMILIES = {**hand_made_families(), **vocabulary_families(PACK)}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_a_pathological_family_grades_about_as_fast_as_an_ordinary_answer(name, ordinary_cost):
    assert_bounded(FAMILIES[name], ordinary_cost, name)


VOCABULARY = grader_vocabulary(PACK)
ATOMS = ["1", ".", ",", "/", "'", " ", "\n", "-", "*", "{", "$", "%", ":", "5", "0.99", "\u200b", "\u0430"]
units = st.lists(st.sampled_from(ATOMS) | st.sampled_from(VOCABULARY), min_size=1, max_size=8).map("".join)


@settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(units, min_size=1, max_size=3))
def test_repeated_random_units_grade_about_as_fast_as_an_ordinary_answer(ordinary_cost, parts):
    # Each part fills its share of the answer: long runs of one shape, then another.
    share = SIZE // len(parts)
    text = "".join(fill(p, share) for p in parts)
    text = text + fill(parts[-1], SIZE - len(text))
    assert_bounded(text, ordinary_cost, repr(parts))


def test_an_endless_sentence_is_read_in_bounded_windows_and_quotes_stay_verbatim():
    from mockinterview.grading.text import MAX_SENTENCE_TOKENS, analyze

    text = fill("the model drifts, so we retrain it and we watch the error ", 5000)
    analysis = analyze(text)
    assert len(analysis.sentences) > 1
    assert all(len(s.tokens) <= MAX_SENTENCE_TOKENS for s in analysis.sentences)
    assert sum(len(s.tokens) for s in analysis.sentences) == len(analysis.tokens)
    assert [s.index for s in analysis.sentences] == list(range(len(analysis.sentences)))
    assert all(analysis.tokens[s.first] is s.tokens[0] for s in analysis.sentences)
    # Cut at a clause boundary when there is one.
    assert all(analysis.text[s.end :].lstrip(" ,").startswith("so ") for s in analysis.sentences[:-1])
    for s in analysis.sentences:
        assert analysis.quote(s.start, s.end) in text
    # A long real sentence (the longest in the labelled sets has 119 tokens) stays whole.
    sentence = " ".join(["word"] * MAX_SENTENCE_TOKENS) + "."
    assert len(analyze(sentence).sentences) == 1
