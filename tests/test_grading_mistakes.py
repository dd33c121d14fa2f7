"""The canonical mistake detectors on the phenomena they stand for, with their negated,
hedged and careful counterparts (each pair differs in the one thing that makes the
mistake)."""

from __future__ import annotations

import pytest
from grading_helpers import found

from mockinterview.grading import grade_free_text
from mockinterview.packs.loader import load_pack


@pytest.fixture(scope="module")
def pack():
    return load_pack()


CASES = [
    # needless-complexity: a heavy model proposed as the plan, with no baseline.
    (
        "needless-complexity",
        "case-lifetime-value",
        "I'd train an LSTM on every user's events since sequence models are state of the art, on a GPU cluster.",
        "I'd start with a gradient-boosted baseline on first-week features; an LSTM only if it clearly beats it.",
    ),
    (
        "needless-complexity",
        "reducing-training-time",
        "I would move training to a GPU cluster and switch to a deep neural network, which scales better.",
        "I would profile the pipeline, subsample for tuning and keep the simpler model, which trains in minutes.",
    ),
    # correlation-as-causation: a causal conclusion from observational evidence.
    (
        "correlation-as-causation",
        "case-purchase-propensity",
        "Customers who got the discount last year churned 30% less, so the discount clearly works and we should "
        "send it to everyone.",
        "Customers who got the discount churned less, but they were chosen by marketing, so I would run a "
        "randomized holdout before concluding the discount works.",
    ),
    (
        "correlation-as-causation",
        "interpretability-shap-lime",
        "In our churn model the SHAP values show tenure is clearly the main driver, so we should spend the "
        "retention budget on extending tenure.",
        "SHAP values show what the model relies on, which is not what causes churn; an experiment would tell us.",
    ),
    (
        "correlation-as-causation",
        "ab-test-design",
        "Conversion went up from 3.1% to 3.6% in the month after the redesign, and that proves the redesign works.",
        "I would randomize users between the old and new checkout and compare conversion over two full weeks.",
    ),
    # leakage-unchecked: a too-good score taken at face value, post-outcome fields as inputs.
    (
        "leakage-unchecked",
        "case-transaction-fraud",
        "I'd use the amount, the merchant and the chargeback status as features; that gave an AUC of 0.98 "
        "last year, which is excellent.",
        "I would not trust an AUC of 0.98 before checking that every feature exists at authorisation time.",
    ),
    (
        "leakage-unchecked",
        "case-churn-early-intervention",
        "Adding the cancellation_reason column took the AUC from 0.72 to 0.94, a great improvement.",
        "The cancellation reason is only known after someone leaves, so it can't go in as a feature.",
    ),
    # data-quality-ignored: straight into modelling on the data as it is.
    (
        "data-quality-ignored",
        "case-lifetime-value",
        "I'd throw everything into AutoML with all the columns we have and take whatever wins.",
        "First I'd ask how revenue is recorded, whether refunds are netted out, and whether recent cohorts "
        "are representative of the ones we will score.",
    ),
    (
        "data-quality-ignored",
        "exploratory-data-analysis",
        "I'd drop every row with missing values, fill the rest with zero and move on to training.",
        "I'd look at why values are missing and whether the missingness itself predicts churn.",
    ),
    # no-monitoring: automatic retraining that overwrites the live model.
    (
        "no-monitoring",
        "automated-retraining-pipeline",
        "A nightly job retrains the model on the latest data and automatically overwrites the production model.",
        "A nightly job trains a challenger that is promoted only if it beats the live model on a fresh "
        "holdout; we monitor drift and can roll back in one step.",
    ),
    # metrics-without-impact: success defined as an offline metric.
    (
        "metrics-without-impact",
        "case-demand-forecasting",
        "Success means getting MAPE under 10% on the hold-out weeks.",
        "The forecast is worth it if waste falls: I'd track MAPE, but judge it by waste and stockouts in a "
        "store-level pilot.",
    ),
    (
        "metrics-without-impact",
        "case-churn-early-intervention",
        "Our target is an AUC above 0.85 on the holdout month; once we hit it the project is done.",
        "The AUC tells us the ranking works; the target is fewer cancellations among the customers the team calls.",
    ),
]


@pytest.mark.parametrize(("mistake", "question_id", "makes_it", "avoids_it"), CASES)
def test_detector_finds_the_mistake_and_not_its_careful_counterpart(
    pack, mistake, question_id, makes_it, avoids_it
):
    assert mistake in found(pack, question_id, makes_it)
    assert mistake not in found(pack, question_id, avoids_it)


def test_bias_in_the_statistical_sense_is_not_data_quality(pack):
    answer = (
        "Bias is error from wrong assumptions, variance is sensitivity to the training sample. A deeper "
        "tree lowers bias and raises variance; I would pick the depth by cross-validation."
    )
    assert "data-quality-ignored" not in found(pack, "overfitting", answer)


def test_a_definition_does_not_clear_the_mistake(pack):
    # Reciting what leakage is does not count as checking for it.
    answer = (
        "Leakage is when information from the test set ends up in training. Our AUC jumped from 0.71 to 0.99 "
        "after adding one feature, so we shipped it."
    )
    assert "leakage-unchecked" in found(pack, "data-leakage", answer)


def test_negated_conclusion_is_no_finding(pack):
    answer = (
        "Retention is higher among discount users, but that does not prove the discount works; they may "
        "simply be loyal already."
    )
    assert "correlation-as-causation" not in found(pack, "causality-from-predictive-model", answer)


def test_conditional_conclusion_is_still_the_mistake(pack):
    answer = "I'd compare conversion the week before and after the launch, and if it's higher, that proves the redesign works."
    assert "correlation-as-causation" in found(pack, "ab-test-design", answer)


def test_free_text_question_gets_the_general_detectors(pack):
    g = grade_free_text(
        "Nice, that's a strong model! 0.99 is about as good as it gets, so let's put it live next sprint.",
        "A colleague's default model scores 0.99 AUC. What do you tell them?",
        pack,
    )
    assert "leakage-unchecked" in {m.id for m in g.mistakes}


def test_vague_business_impact_does_not_clear_metrics_only(pack):
    answer = (
        "I built a churn model that had a huge impact on the business. It got an AUC of 0.92, much better "
        "than the previous one."
    )
    assert "metrics-without-impact" in found(pack, "behavioral-business-impact", answer)


CANONICAL = {
    "metrics-without-impact",
    "leakage-unchecked",
    "needless-complexity",
    "correlation-as-causation",
    "no-monitoring",
    "data-quality-ignored",
}


@pytest.mark.parametrize(
    ("question_id", "answer"),
    [
        ("data-leakage", "A 0.99 AUC would make me suspicious; I'd look for a feature that leaks the label."),
        ("class-imbalance", "If the AUC were 0.99 I'd assume leakage before celebrating."),
        (
            "automated-retraining-pipeline",
            "We don't automatically overwrite the production model; a challenger must beat it on fresh data first.",
        ),
        (
            "case-lifetime-value",
            "Deep learning is overkill for 40 tabular columns, so I'd use gradient boosting.",
        ),
        (
            "causality-from-predictive-model",
            "Tenure and churn move together, but that doesn't mean tenure causes churn.",
        ),
        (
            "overfitting",
            "After picking the depth with cross-validation, I would train the final model on all the data.",
        ),
        (
            "exploratory-data-analysis",
            "I'd check how many rows have missing values and why, before deciding whether to drop them or impute.",
        ),
        (
            "interpretability-shap-lime",
            "SHAP tells you what the model relies on, not what drives churn in the world.",
        ),
        (
            "when-ml-is-justified",
            "I wouldn't jump straight to a neural network; rules or a logistic regression come first.",
        ),
        (
            "ab-test-design",
            "Before and after comparisons are confounded by seasonality, so I'd randomise users.",
        ),
        (
            "case-demand-forecasting",
            "I'd use a time-based split, never random cross-validation, since the data is a time series.",
        ),
    ],
)
def test_careful_answers_raise_no_canonical_mistake(pack, question_id, answer):
    assert not found(pack, question_id, answer) & CANONICAL


def test_a_remedy_named_only_to_be_dismissed_does_not_clear_the_mistake(pack):
    answer = "XGBoost is old news. I would use a transformer on the raw transaction stream because it's state of the art."
    assert "needless-complexity" in found(pack, "case-transaction-fraud", answer)
    careful = "Deep learning would be overkill here; XGBoost on the transaction features is plenty."
    assert "needless-complexity" not in found(pack, "case-transaction-fraud", careful)


# An omission (monitoring missing from a whole plan) is judged only when nothing said is wrong.
PLAN_WITHOUT_MONITORING = (
    "I'd define churn as no renewal within thirty days and check how the labels were recorded and whether "
    "last spring's records look like the customers we serve now. Then I'd fit a logistic regression on weekly "
    "snapshots, validate on the latest months, and push the ranked list to the CRM every Monday for the callers."
)
PLAN_WITH_A_STATED_MISTAKE = (
    "I'd define churn as no renewal within thirty days. I'd feed the model every column including the "
    "cancellation survey answers, since they are the strongest signal, fit a large neural network, and push the "
    "ranked list to the CRM every Monday for the callers."
)


def test_an_omission_is_found_when_nothing_said_is_wrong(pack):
    assert "no-monitoring" in found(pack, "case-churn-early-intervention", PLAN_WITHOUT_MONITORING)


def test_an_omission_gives_way_to_the_mistakes_the_answer_states(pack):
    mistakes = found(pack, "case-churn-early-intervention", PLAN_WITH_A_STATED_MISTAKE)
    assert mistakes and "no-monitoring" not in mistakes
