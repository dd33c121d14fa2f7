"""The pack's misconceptions: wrong claims a fluent answer can make, read claim by claim.

Every answer here was written for these tests, in words of their own (none comes from a
labelled set). A fluent answer that asserts a well-known wrong belief (swapped definitions,
a wrong direction, a practice that leaks) is marked as stating the point wrongly and stays
low; a correct answer in nearby words, including the right statement made with a negation
("SMOTE is never run on the whole dataset"), is not marked at all.
"""

from __future__ import annotations

import pytest

from mockinterview.grading import grade_answer
from mockinterview.packs.loader import load_pack


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def _wrong(grade) -> dict[str, str]:
    return {k.id: k.misconception for k in grade.key_points if k.misconception}


# (question, key point stated wrongly, a fluent answer built around the wrong claim)
FLUENT_WRONG = [
    (
        "precision-vs-recall",
        "definitions",
        "Precision is the share of actual positives caught by the model, so it tells you how complete "
        "your net is. Recall is the share of flagged cases that are correct. Both errors cost equally in "
        "most businesses, so I would look at F1 and move on.",
    ),
    (
        "class-imbalance",
        "resampling",
        "With only 2% positives I would SMOTE the whole dataset first so the classes are even, and only "
        "then split it into training and test sets. Accuracy is fine for imbalanced data once the classes "
        "are balanced like that, and I always keep the 0.5 threshold because it is the default.",
    ),
    (
        "data-leakage",
        "preprocessing-in-folds",
        "Leakage is when the model sees the answer during training. To keep things simple I fit the scaler "
        "on the whole dataset and impute the whole dataset before splitting, since the statistics barely "
        "change. A random split is fine for time series as long as it is stratified.",
    ),
    (
        "overfitting",
        "reduce-complexity",
        "Overfitting is when the model does not learn enough from the data. More features always reduce "
        "overfitting because the model has more signal to learn from, and a more complex model always "
        "generalizes better. High training accuracy means a good model, so that is what I watch.",
    ),
    (
        "cross-validation",
        "caveats",
        "You cut the data into k parts and train k times. Random folds are fine for time series too, and "
        "I scale the whole dataset before cross validation to save work. Since every row gets scored, "
        "cross validation removes the need for a test set.",
    ),
    (
        "when-ml-is-justified",
        "simplest-solution",
        "These days every problem needs machine learning, because rules go stale. I always start with "
        "deep learning since it finds the interactions by itself, and a fancier model is always better "
        "than a handful of rules. Once it ships, maintenance is free.",
    ),
    (
        "exploratory-data-analysis",
        "distributions-outliers",
        "I check how many rows there are; a large dataset is automatically representative. Outliers are "
        "always errors, so I always delete every outlier, and I drop every row with a missing value. A strong "
        "correlation with the target proves causation, which tells me the churn drivers.",
    ),
    (
        "explaining-to-stakeholders",
        "honest-limitations",
        "I would lead with the AUC and the log loss, because stakeholders want technical metrics and "
        "technical jargon shows expertise. I don't mention the limitations since that only makes people "
        "nervous about using the model.",
    ),
]


@pytest.mark.parametrize(
    ("question_id", "key_point", "answer"), FLUENT_WRONG, ids=[c[0] for c in FLUENT_WRONG]
)
def test_a_fluent_wrong_answer_is_marked_wrong_and_stays_low(pack, question_id, key_point, answer):
    g = grade_answer(answer, pack.question(question_id), pack)
    wrong = _wrong(g)
    assert key_point in wrong, g
    assert all(quote in answer for quote in wrong.values())
    assert g.score <= 2.5, g


# Correct answers in nearby words: the right claim, often made with a negation.
CORRECT_NEARBY = [
    (
        "precision-vs-recall",
        "Precision is the fraction of predicted positives that are correct, and recall is the fraction of "
        "real positives the model finds. Both errors do not cost equally: for a spam filter I would not "
        "maximize recall, because binning a real email is worse than letting spam through, while for fraud "
        "a miss is expensive so I favour recall. Accuracy is not fine for imbalanced data, and I set the "
        "decision threshold from the cost of each error.",
    ),
    (
        "class-imbalance",
        "Accuracy misleads here: 98% accuracy does not mean a good model when 98% of cases are negative, so "
        "I use PR-AUC. I try class weights first. If I resample, SMOTE is never applied before the split, "
        "and I never balance the whole dataset; only the training folds are resampled so validation keeps "
        "the real ratio. I don't always keep the 0.5 threshold either: the cut-off follows the team's "
        "capacity. SMOTE doesn't always work best, so I compare options on the same metric.",
    ),
    (
        "data-leakage",
        "Leakage is when training uses information that would not be available at prediction time, like "
        "a field filled in after the outcome. I never fit the scaler on the whole dataset, only on the "
        "training part, and imputation is fitted inside each fold rather than on the whole dataset before "
        "splitting. A random split is not fine for time series, so I split by date and never shuffle time "
        "series randomly. A perfect score never proves a great model; it makes me look for a leak.",
    ),
    (
        "overfitting",
        "Overfitting is when the model memorises noise in the training data and fails to generalize. More "
        "features do not always reduce overfitting; dropping weak ones often helps, and a simpler model "
        "often generalizes better than a more complex one. High training accuracy alone does not mean a "
        "good model, so I compare training and validation performance and add regularization or early "
        "stopping when the gap is wide.",
    ),
    (
        "cross-validation",
        "K-fold cross-validation splits the data into k folds, trains on k-1 and scores the held-out fold, "
        "rotating so each fold is held out once, and reports the mean and spread. Scaling and encoding are "
        "fitted inside each fold. A single split is less "
        "reliable because one lucky split can flatter the model. Random folds are not fine for time series: "
        "use forward chaining. Cross validation does not remove the need for a final untouched test set.",
    ),
    (
        "when-ml-is-justified",
        "Not every problem needs machine learning, and machine learning is not always the answer. I never "
        "start with deep learning: first a baseline of business rules, and ML only if it beats them by a "
        "margin that matters. A model is never free to maintain, so the gain must outweigh the cost of "
        "building and maintaining it, and there must be enough good-quality labelled data.",
    ),
    (
        "exploratory-data-analysis",
        "I ask how the data was collected, since a large dataset is not automatically representative. I "
        "plot each feature's distribution; outliers are not always errors, so I check them before I "
        "delete anything. Rather than dropping every row with a missing value, I look at why values are "
        "missing. Correlation with the target never proves causation, but it hints at leakage when a "
        "feature is suspiciously predictive.",
    ),
    (
        "explaining-to-stakeholders",
        "I would not lead with the AUC; I talk about customers caught and false alarms in money terms. "
        "Technical jargon does not show expertise, it loses the room, so I use one simple chart. I never "
        "hide the limitations: I show real customers the model got wrong and say where it is not reliable.",
    ),
]


@pytest.mark.parametrize(("question_id", "answer"), CORRECT_NEARBY, ids=[c[0] for c in CORRECT_NEARBY])
def test_a_correct_answer_in_nearby_words_is_not_marked_wrong(pack, question_id, answer):
    g = grade_answer(answer, pack.question(question_id), pack)
    assert not _wrong(g), _wrong(g)
    assert "contradiction" not in g.flags
    assert g.score >= 3.5, g


# One sentence each: the wrong claim (True) or a right one in the same words (False).
W, R = True, False
CLAIMS = [
    (
        "when-ml-is-justified",
        "complex-patterns",
        "Honestly every problem needs machine learning these days.",
        W,
    ),
    (
        "when-ml-is-justified",
        "complex-patterns",
        "Not every problem needs machine learning; a SQL report often does.",
        R,
    ),
    (
        "when-ml-is-justified",
        "complex-patterns",
        "Machine learning is not always the answer, rules can be enough.",
        R,
    ),
    (
        "when-ml-is-justified",
        "cost-benefit",
        "Maintenance is never free: pipelines break and data drifts.",
        R,
    ),
    (
        "when-ml-is-justified",
        "simplest-solution",
        "I start simple and only move to deep learning if the simpler model falls short.",
        R,
    ),
    (
        "when-ml-is-justified",
        "enough-quality-data",
        "If the labels are messy, more data fixes bad labels anyway.",
        W,
    ),
    (
        "when-ml-is-justified",
        "enough-quality-data",
        "More data never fixes bad labels, so I audit a sample of them.",
        R,
    ),
    (
        "exploratory-data-analysis",
        "missing-values",
        "I drop every row with a missing value to keep it clean.",
        W,
    ),
    ("overfitting", "train-validation-gap", "I judge the model on training accuracy.", W),
    (
        "overfitting",
        "train-validation-gap",
        "I never judge the model on training accuracy, only on held-out data.",
        R,
    ),
    (
        "precision-vs-recall",
        "definitions",
        "Recall is the fraction of predicted positives that are correct.",
        W,
    ),
    (
        "precision-vs-recall",
        "definitions",
        "Recall is the share of actual positives caught; precision is the share of flagged cases that are correct.",
        R,
    ),
    (
        "precision-vs-recall",
        "precision-when-false-alarms-costly",
        "A spam filter should maximize recall so no spam gets through.",
        W,
    ),
    ("data-leakage", "symptom", "A high validation score proves the model works.", W),
    ("data-leakage", "temporal-validation", "I shuffle the time series randomly before splitting.", W),
    ("data-leakage", "preprocessing-in-folds", "I normalize the entire dataset before splitting.", W),
    ("class-imbalance", "resampling", "I resample the full dataset so every fold is balanced.", W),
    ("class-imbalance", "resampling", "I balance the whole dataset with undersampling.", W),
    ("class-imbalance", "resampling", "Never run SMOTE on the entire dataset.", R),
    (
        "class-imbalance",
        "right-metric",
        "98% accuracy sounds good but a model that never flags anything gets it.",
        R,
    ),
    ("class-imbalance", "threshold-tuning", "The 0.5 threshold is always right.", W),
    ("class-imbalance", "depends-on-context", "Resampling always improves the model.", W),
    ("cross-validation", "lower-variance", "A single split is equally reliable if the test set is big.", W),
    (
        "cross-validation",
        "lower-variance",
        "A single split is less reliable because one lucky split can flatter the model.",
        R,
    ),
    (
        "explaining-to-stakeholders",
        "honest-limitations",
        "I hide the limitations so they keep trusting the model.",
        W,
    ),
    ("explaining-to-stakeholders", "honest-limitations", "I mention the limitations plainly.", R),
]


@pytest.mark.parametrize(("question_id", "key_point", "sentence", "is_wrong"), CLAIMS)
def test_a_claim_is_read_as_wrong_only_when_it_asserts_the_misconception(
    pack, question_id, key_point, sentence, is_wrong
):
    g = grade_answer(sentence, pack.question(question_id), pack)
    assert (key_point in _wrong(g)) is is_wrong, g.key_points


def test_a_pitfall_named_as_such_is_not_the_candidate_making_it(pack):
    """Naming the wrong practice as a pitfall ("... is a classic mistake", "... are not fine")
    is the right claim: no misconception, and no mistake finding either."""
    q = pack.question("class-imbalance")
    g = grade_answer(
        "I weight the minority class first. Running SMOTE on the entire dataset is a classic mistake, because "
        "synthetic rows end up in validation, so any resampling happens inside the training folds.",
        q,
        pack,
    )
    assert not _wrong(g) and "contradiction" not in g.flags
    g = grade_answer(
        "Random folds are not fine for time series: every validation fold must come after its training "
        "data, so I use forward chaining and fit the scaling inside each fold.",
        pack.question("cross-validation"),
        pack,
    )
    assert not _wrong(g) and not g.mistakes, (g.key_points, g.mistakes)
