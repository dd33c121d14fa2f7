"""Off-topic answers in rubric words, and the pack's mistakes kept to the pack's world.

Written for these tests in words no labelled set uses."""

from __future__ import annotations

import pytest

from mockinterview.grading import grade_answer, grade_free_text
from mockinterview.packs.loader import load_pack


@pytest.fixture(scope="module")
def pack():
    return load_pack()


ELSEWHERE = [
    (
        "precision-vs-recall",
        "When I bake sourdough on weekends, precision matters: I weigh the flour to the gram, and recall of "
        "the recipe steps is key. A missed step costs more than a false alarm from the oven timer, so I "
        "prioritise recall, and accuracy is misleading when the loaf looks fine outside.",
    ),
    (
        "data-leakage",
        "In football, leakage happens when a defender lets the striker see the goalkeeper's position before "
        "the kick; the future information about the dive gives it away. The coach splits training by time "
        "so the squad never sees the penalty takers' habits from next season.",
    ),
    (
        "overfitting",
        "My tomato plants overfit to the greenhouse: they memorise the warm training conditions and wilt "
        "on the balcony. I regularise by hardening seedlings outdoors a bit each day, and cross-validate by "
        "splitting trays across windowsills.",
    ),
]


@pytest.mark.parametrize(("question_id", "answer"), ELSEWHERE)
def test_a_story_from_elsewhere_in_rubric_words_earns_nothing(pack, question_id, answer):
    g = grade_answer(answer, pack.question(question_id), pack)
    assert "off-topic" in g.flags and g.score <= 1.5, g
    assert not g.covered


ON_TOPIC_UNUSUAL = [
    (
        "case-transaction-fraud",
        "Card-not-present fraud at authorisation: I'd score each swipe with gradient-boosted trees on velocity, "
        "merchant category and distance from the cardholder's usual merchants, precompute the aggregates in a "
        "streaming store to fit the latency budget, and set the decline threshold from what a chargeback costs "
        "versus the revenue a false decline loses.",
    ),
    (
        "behavioral-stakeholder-conflict",
        "Our merchandising director wanted to cut the winter coat range because the dashboard showed falling "
        "sell-through. I pulled the stock ledger and showed the dip came from late deliveries, not demand, "
        "and we agreed a two-store trial instead; sell-through recovered within three weeks.",
    ),
]


@pytest.mark.parametrize(("question_id", "answer"), ON_TOPIC_UNUSUAL)
def test_on_topic_answers_in_unusual_words_are_not_off_topic(pack, question_id, answer):
    assert "off-topic" not in grade_answer(answer, pack.question(question_id), pack).flags


def test_a_question_from_another_world_is_not_held_to_the_packs_mistakes(pack):
    question = "How do you delete a node from a binary search tree?"
    reference = "Find the node; a leaf is removed, a node with one child is replaced by it, otherwise by its successor."
    answer = "If the node is a leaf, set its parent's pointer to null and delete it; otherwise splice in the child."
    g = grade_free_text(answer, question, pack, reference=reference)
    assert g.mistakes == []
    # the same shortcut in the pack's world is the mistake
    g = grade_free_text(
        "I'd drop every row with a null and train the churn model on what's left.",
        "How would you prepare a messy customer table before modelling churn?",
        pack,
        reference="Profile the columns, find out why values are missing, and impute or flag them before modelling.",
    )
    assert "data-quality-ignored" in {m.id for m in g.mistakes}


@pytest.mark.parametrize("matcher", ["tfidf", "semantic"])
def test_the_answer_tells_which_bank_question_a_strange_wording_asks(pack, matcher):
    pytest.importorskip("onnxruntime") if matcher == "semantic" else None
    question = "Your model nails the training set but flops on fresh data - what's going on and what do you do?"
    answer = (
        "It's overfitting: the model memorised noise in the training data, so there's a big gap between "
        "training and validation error. I'd regularise, simplify the model or add data, use early stopping, "
        "and check with cross-validation."
    )
    g = grade_free_text(answer, question, pack, matcher=matcher)
    assert g.matched_question_id == "overfitting" and g.score >= 4.0
    # a question from outside the bank stays unmatched, however good the answer
    g = grade_free_text(
        "Run k-means for a range of k, look at the elbow in the within-cluster sum of squares and the "
        "silhouette score, then check the segments are stable and useful to the business.",
        "How do you pick the number of clusters for k-means?",
        pack,
        matcher=matcher,
    )
    assert g.matched_question_id is None
