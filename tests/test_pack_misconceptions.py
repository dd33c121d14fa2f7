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
        "Stakeholders care about the AUC and the log loss, so I lead with them: stakeholders want technical metrics and "
        "technical jargon shows expertise. I don't mention the limitations since that only makes people "
        "nervous about using the model.",
    ),
    (
        "ab-test-design",
        "fixed-duration-no-peeking",
        "I would split visitors between the old and new checkout and watch conversion. I check every day and stop when significant, since there is no reason to waste traffic. The p value is the probability the result is due to chance, so at 0.04 there is a 96% chance the redesign works, and a significant result proves the redesign works.",
    ),
    (
        "interpretability-shap-lime",
        "not-causal",
        "SHAP values show causal effects, so if income has the biggest SHAP value, raising income would cut defaults. LIME gives exact Shapley values too and is always consistent. Interpretability can always be added afterwards, so I pick the most accurate model first.",
    ),
    (
        "multicollinearity",
        "ridge-regularization",
        "Multicollinearity is when two predictors move together. It does not matter much: multicollinearity does not affect the coefficients, and ridge removes correlated features automatically, so I just fit ridge and read the coefficients as usual.",
    ),
    (
        "drift-detection",
        "diagnose-before-retraining",
        "I compare the input distributions each week. Stable inputs mean the model is fine, and whenever a feature moves I always retrain right away when drift is detected, because retraining always fixes drift.",
    ),
    (
        "selection-bias",
        "why-it-breaks",
        "Selection bias is mostly a small-data problem: with few rows the estimates wobble. A bigger sample fixes selection bias, so I would simply collect more of the same data until the estimates settle.",
    ),
    (
        "bagging-vs-boosting",
        "when-to-choose",
        "Both combine many trees. Boosting is always better, since it never stops improving: boosting never overfits and the boosting defaults are always good, so I would not bother with bagging at all.",
    ),
    (
        "feature-engineering",
        "validate-features",
        "Feature engineering is building new inputs from raw data, like day of week or spend in the last 30 days. More features always improve the model, so I add everything I can think of, and I do target encoding on the full dataset before splitting to get stable encodings.",
    ),
    (
        "causality-from-predictive-model",
        "correlation-not-causation",
        "The model is clear: app users churn less so the app causes it. The model already proves the effect, so I would push every customer onto the app this quarter and report the churn saved.",
    ),
    (
        "model-fairness",
        "historical-bias",
        "We remove gender and age from the inputs. Removing the protected attribute makes the model fair, and historical data is objective since it records real repayments. Equal accuracy means the model is fair, so checking fairness once at launch is enough.",
    ),
    (
        "recommender-evaluation",
        "offline-metrics-limits",
        "I would compute NDCG on last month's clicks. Higher NDCG means more revenue, so offline metrics are enough to ship, and more clicks always mean more revenue anyway.",
    ),
    (
        "case-demand-forecasting",
        "censored-demand",
        "Sales equal demand, so I take the daily sales history per store and product as the target and fit a gradient-boosted model on it.",
    ),
    (
        "case-transaction-fraud",
        "label-issues",
        "Chargebacks arrive immediately, so every transaction has its label the same day. Accuracy is the right metric for fraud, and fraud patterns stay stable, so a yearly retrain is plenty.",
    ),
    (
        "case-support-ticket-routing",
        "label-quality",
        "Historical labels are ground truth, since agents picked them, so I would fine tune a large transformer first on the tickets and their categories and route by its top prediction.",
    ),
    (
        "ds-engineering-handoff",
        "standard-format",
        "I hand over the notebook and the engineers rewrite the model from the notebook in their own stack. Manual testing is enough before each deploy, and my job ends at deployment.",
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
        "Stakeholders don't care about the AUC; I talk about customers caught and false alarms in money terms. "
        "Technical jargon does not show expertise, it loses the room, so I use one simple chart. I never "
        "hide the limitations: I show real customers the model got wrong and say where it is not reliable.",
    ),
    (
        "ab-test-design",
        "The primary metric is checkout conversion, fixed up front with a hypothesis and guardrails such as refunds. I pick a minimum detectable effect worth shipping and compute the sample size for 80% power at alpha 0.05, then randomly assign users to control and treatment. I would not stop the test as soon as it is significant: it runs the planned two full weeks. A p value of 0.05 does not mean a 95% chance the effect is real, so I report the effect size with a confidence interval.",
    ),
    (
        "interpretability-shap-lime",
        "SHAP rests on Shapley values from game theory: each feature's contribution relative to the average prediction, per prediction and aggregated into global importance. LIME fits a local surrogate on perturbed samples; it is faster but not always consistent between runs. SHAP values don't show causal effects, they describe the model, and correlated features share credit. Interpretability can't always be added afterwards, so in a regulated setting I plan it up front and turn attributions into plain reason codes.",
    ),
    (
        "multicollinearity",
        "Multicollinearity means predictors are correlated with each other. I detect it with the variance inflation factor and the correlation matrix. It affects the coefficients, which become unstable and hard to interpret, while predictive performance is often fine. I drop one of the correlated pair, combine them, or use ridge: ridge doesn't remove correlated features, it shrinks their coefficients together.",
    ),
    (
        "drift-detection",
        "I compare production feature distributions with training using PSI and KS tests, and watch the prediction distribution. Stable inputs don't mean the model is fine, so I track real performance once delayed labels arrive. Alerts on agreed thresholds trigger an investigation: I don't always retrain right away when drift is detected, because a broken pipeline is fixed, not retrained on, and a retrained model is compared with the live one before replacing it.",
    ),
    (
        "selection-bias",
        "Selection bias is when the sample is not representative of the target population because of how records were selected, for example a credit model trained only on approved applicants. Conclusions don't carry over because selection is related to the outcome, and a bigger sample never fixes selection bias, since the same people are still missing. I trace how the data was generated, then reweight or run a random holdout.",
    ),
    (
        "feature-engineering",
        "Feature engineering turns raw data into inputs that expose the signal using domain knowledge: day of week, days since last order, spend over the last 30 days, ratios and log transforms for skewed amounts. Features are built only from information available at prediction time, and I never do target encoding on the full dataset. More features don't always improve the model, so I keep the ones that improve validation performance when added in groups.",
    ),
    (
        "causality-from-predictive-model",
        "The model shows an association; we cannot conclude the app causes lower churn, because engaged customers self-select into the app. The model never proves the effect, so I would randomize app prompts to a treatment group against a control group, or use difference in differences if we can't randomize, pilot it at small scale, and report the incremental churn avoided against the campaign cost.",
    ),
    (
        "model-fairness",
        "I would compare approval rates and error rates across groups (demographic parity, equalized odds) and calibration by group. Removing the protected attribute does not make the model fair, because postcode can stand in for it, and historical data is not objective: it only holds previously approved applicants. Equal accuracy does not mean the model is fair. The trade-off goes to legal and business, the limitations go in a model card, and checking fairness once at launch is not enough, so we audit it every quarter.",
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
    (
        "bagging-vs-boosting",
        "boosting-tradeoffs",
        "Boosting never overfits because each tree is so small.",
        W,
    ),
    ("bagging-vs-boosting", "boosting-tradeoffs", "Boosting cannot overfit if you add enough trees.", W),
    ("bagging-vs-boosting", "boosting-tradeoffs", "Boosting needs careful tuning of the learning rate.", R),
    (
        "bagging-vs-boosting",
        "when-to-choose",
        "Boosting is not always better; a random forest is a robust first model.",
        R,
    ),
    (
        "ab-test-design",
        "metric-and-hypothesis",
        "I would choose the metric afterwards, once I see what moved.",
        W,
    ),
    ("ab-test-design", "sample-size-power", "Power is the probability of a false positive.", W),
    ("ab-test-design", "randomization", "I would let users choose their variant with a toggle.", W),
    (
        "ab-test-design",
        "fixed-duration-no-peeking",
        "I stop the test as soon as it is significant to save traffic.",
        W,
    ),
    (
        "ab-test-design",
        "fixed-duration-no-peeking",
        "Stopping the test as soon as it is significant is a classic mistake that inflates false positives.",
        R,
    ),
    ("ab-test-design", "fixed-duration-no-peeking", "I check every day and stop when significant.", W),
    (
        "ab-test-design",
        "significance-and-effect",
        "The p value is the probability the result is due to chance.",
        W,
    ),
    (
        "ab-test-design",
        "significance-and-effect",
        "A p value of 0.03 means a 97% chance the effect is real; with 0.05 it is a 95% chance the effect is real.",
        W,
    ),
    (
        "ab-test-design",
        "significance-and-effect",
        "The p value is the probability the alternative is true.",
        W,
    ),
    (
        "ab-test-design",
        "significance-and-effect",
        "A significant result never proves the redesign works by a useful margin, so I report the effect size.",
        R,
    ),
    ("selection-bias", "why-it-breaks", "A bigger sample fixes selection bias.", W),
    ("selection-bias", "why-it-breaks", "More data fixes selection bias eventually.", W),
    ("drift-detection", "actual-performance", "Stable inputs mean the model is fine.", W),
    (
        "drift-detection",
        "diagnose-before-retraining",
        "I always retrain right away when drift is detected.",
        W,
    ),
    ("drift-detection", "diagnose-before-retraining", "Retraining always fixes drift.", W),
    (
        "interpretability-shap-lime",
        "shap-local-global",
        "SHAP cannot explain individual predictions, only the whole model.",
        W,
    ),
    ("interpretability-shap-lime", "lime-tradeoff", "LIME is always consistent between runs.", W),
    ("interpretability-shap-lime", "lime-tradeoff", "LIME gives exact Shapley values.", W),
    (
        "interpretability-shap-lime",
        "not-causal",
        "SHAP values show causal effects, so we can act on them.",
        W,
    ),
    ("interpretability-shap-lime", "not-causal", "Feature importance shows causation.", W),
    (
        "interpretability-shap-lime",
        "design-upfront",
        "Interpretability can always be added afterwards with SHAP.",
        W,
    ),
    ("interpretability-shap-lime", "regulated-reason-codes", "Raw SHAP values are enough for regulators.", W),
    ("reducing-training-time", "early-stopping", "More epochs always help accuracy.", W),
    (
        "multicollinearity",
        "unstable-coefficients",
        "Multicollinearity does not affect the coefficients at all.",
        W,
    ),
    (
        "multicollinearity",
        "unstable-coefficients",
        "Multicollinearity does not hurt predictions much, but it affects the coefficients.",
        R,
    ),
    (
        "multicollinearity",
        "ridge-regularization",
        "Ridge doesn't remove correlated features; it shrinks their coefficients together.",
        R,
    ),
    ("feature-engineering", "point-in-time", "I do target encoding on the full dataset before splitting.", W),
    ("feature-engineering", "validate-features", "More features always improve the model.", W),
    ("feature-engineering", "validate-features", "Every new feature improves the model a little.", W),
    (
        "bagging-vs-boosting",
        "boosting-tradeoffs",
        "Boosting can overfit noisy labels, so I use early stopping.",
        R,
    ),
    ("bagging-vs-boosting", "when-to-choose", "Boosting is always better, so I never use random forests.", W),
    (
        "ab-test-design",
        "metric-and-hypothesis",
        "I never choose the metric afterwards; it is fixed before launch.",
        R,
    ),
    (
        "ab-test-design",
        "randomization",
        "I would never let users choose their variant; assignment is random by user id.",
        R,
    ),
    ("ab-test-design", "fixed-duration-no-peeking", "We stop as soon as the p value drops below 0.05.", W),
    (
        "ab-test-design",
        "significance-and-effect",
        "The p value is the probability of a result at least this extreme if the null hypothesis is true.",
        R,
    ),
    ("ab-test-design", "significance-and-effect", "A significant result proves the redesign works.", W),
    (
        "selection-bias",
        "why-it-breaks",
        "A bigger sample never fixes selection bias; the same people are still missing.",
        R,
    ),
    (
        "drift-detection",
        "actual-performance",
        "Stable inputs don't mean the model is fine, since the link to the label can change.",
        R,
    ),
    (
        "drift-detection",
        "diagnose-before-retraining",
        "Retraining doesn't always fix drift, for example when an upstream field breaks.",
        R,
    ),
    (
        "interpretability-shap-lime",
        "lime-tradeoff",
        "LIME is not always consistent between runs because it samples perturbations.",
        R,
    ),
    (
        "interpretability-shap-lime",
        "not-causal",
        "SHAP values don't show causal effects; they describe the model.",
        R,
    ),
    (
        "interpretability-shap-lime",
        "design-upfront",
        "Interpretability can't always be added afterwards, so I plan it before picking the model.",
        R,
    ),
    (
        "reducing-training-time",
        "early-stopping",
        "More epochs don't always help, so I stop when validation loss plateaus.",
        R,
    ),
    ("multicollinearity", "ridge-regularization", "Ridge removes correlated features automatically.", W),
    (
        "feature-engineering",
        "point-in-time",
        "I never do target encoding on the full dataset; it is fitted inside the training folds.",
        R,
    ),
    (
        "automated-retraining-pipeline",
        "data-validation",
        "New data is always clean because it comes from our own warehouse.",
        W,
    ),
    (
        "automated-retraining-pipeline",
        "champion-challenger",
        "The retrained model is always better, so it goes straight to production.",
        W,
    ),
    (
        "automated-retraining-pipeline",
        "drift-triggers",
        "A fixed schedule is enough on its own, say every Monday.",
        W,
    ),
    (
        "causality-from-predictive-model",
        "correlation-not-causation",
        "The data shows the app causes lower churn, so we should push everyone onto it.",
        W,
    ),
    (
        "causality-from-predictive-model",
        "correlation-not-causation",
        "App users churn less so the app causes it.",
        W,
    ),
    (
        "causality-from-predictive-model",
        "randomized-experiment",
        "The model never proves the effect; a randomized test of app prompts would.",
        R,
    ),
    (
        "causality-from-predictive-model",
        "quasi-experimental",
        "Propensity matching does not prove causation, because unobserved confounders remain.",
        R,
    ),
    (
        "recommender-evaluation",
        "offline-metrics-limits",
        "Higher NDCG does not guarantee more revenue, so I test online.",
        R,
    ),
    (
        "recommender-evaluation",
        "offline-metrics-limits",
        "Offline metrics are not enough to ship; they are biased by what the old model showed.",
        R,
    ),
    (
        "recommender-evaluation",
        "business-metrics",
        "More clicks don't always mean more revenue, so I track purchases too.",
        R,
    ),
    (
        "recommender-evaluation",
        "test-design",
        "One day of traffic is not enough; novelty fades over weeks.",
        R,
    ),
    (
        "model-fairness",
        "historical-bias",
        "Removing the protected attribute does not make the model fair, because postcode can stand in for it.",
        R,
    ),
    ("model-fairness", "historical-bias", "Historical data is objective, it just records what happened.", W),
    ("model-fairness", "fairness-metrics", "Equal accuracy means the model is fair.", W),
    (
        "model-fairness",
        "explicit-tradeoff",
        "The data team decides the trade-off alone, since we understand the model.",
        W,
    ),
    ("model-fairness", "fairness-monitoring", "Checking fairness once at launch is enough.", W),
    (
        "experimentation-process",
        "hypothesis-upfront",
        "We choose the success metric afterwards, once the data is in.",
        W,
    ),
    ("experimentation-process", "experiment-log", "We discard failed experiments so the wiki stays tidy.", W),
    ("experimentation-process", "experiment-log", "We only record experiments that worked.", W),
    (
        "experimentation-process",
        "minimum-viable-experiment",
        "Rather than building the full production system first, we run a cheap prototype.",
        R,
    ),
    (
        "ds-engineering-handoff",
        "standard-format",
        "I never just hand over the notebook; the model ships as a versioned container.",
        R,
    ),
    ("ds-engineering-handoff", "automated-validation", "Manual testing is enough before a deploy.", W),
    (
        "ds-engineering-handoff",
        "post-launch-ownership",
        "My job ends at deployment, then it is engineering's problem.",
        W,
    ),
    (
        "case-churn-early-intervention",
        "decision-framing",
        "The goal is maximum accuracy on the whole customer base.",
        W,
    ),
    (
        "case-churn-early-intervention",
        "baseline-first",
        "I would jump straight to deep learning on the event logs.",
        W,
    ),
    ("case-churn-early-intervention", "impact-experiment", "The churn drop proves the model works.", W),
    (
        "case-purchase-propensity",
        "incremental-framing",
        "The highest propensity customers benefit most from the discount.",
        W,
    ),
    (
        "case-purchase-propensity",
        "impact-experiment",
        "We don't need a control group, the sales numbers speak for themselves.",
        W,
    ),
    ("case-lifetime-value", "data-checks", "Young cohorts are complete enough to train on their revenue.", W),
    ("case-lifetime-value", "impact-experiment", "Last click attribution proves which channel works.", W),
    (
        "case-support-ticket-routing",
        "label-quality",
        "Historical labels are ground truth, agents picked them.",
        W,
    ),
    ("case-support-ticket-routing", "baseline-first", "I would fine tune a large transformer first.", W),
    (
        "case-demand-forecasting",
        "censored-demand",
        "Sales equal demand, so the sales history is the target.",
        W,
    ),
    ("case-transaction-fraud", "cost-framing", "Accuracy is the right metric for fraud detection.", W),
    ("case-transaction-fraud", "label-issues", "Chargebacks arrive immediately, so labels are complete.", W),
    ("case-transaction-fraud", "realtime-monitoring", "Fraud patterns stay stable over the years.", W),
    (
        "case-cold-start-recommendations",
        "exploration-hybrid",
        "Collaborative filtering works for new users from the first click.",
        W,
    ),
    (
        "case-cold-start-recommendations",
        "offline-validation",
        "A random split of interactions is fine here.",
        W,
    ),
    (
        "behavioral-failure",
        "admitted-own-part",
        "It was not the other team's fault; I never checked the schema myself.",
        R,
    ),
    (
        "behavioral-failure",
        "admitted-own-part",
        "I didn't blame the data engineers; I had skipped the validation step myself.",
        R,
    ),
    (
        "automated-retraining-pipeline",
        "data-validation",
        "New data is not always clean, so every batch goes through schema and range checks.",
        R,
    ),
    (
        "automated-retraining-pipeline",
        "drift-triggers",
        "A fixed schedule is not enough on its own; drift alerts trigger extra runs.",
        R,
    ),
    (
        "causality-from-predictive-model",
        "randomized-experiment",
        "The model already proves the effect, so no test is needed.",
        W,
    ),
    (
        "recommender-evaluation",
        "offline-metrics-limits",
        "Higher NDCG means more revenue, so the offline gain is enough.",
        W,
    ),
    ("recommender-evaluation", "business-metrics", "More clicks always mean more revenue.", W),
    ("model-fairness", "historical-bias", "Removing the protected attribute makes the model fair.", W),
    (
        "model-fairness",
        "historical-bias",
        "Historical data is not objective: it reflects who was approved before.",
        R,
    ),
    (
        "model-fairness",
        "explicit-tradeoff",
        "The data team should not decide the trade-off alone; legal and business sign off.",
        R,
    ),
    ("experimentation-process", "hypothesis-upfront", "We never choose the success metric afterwards.", R),
    (
        "experimentation-process",
        "minimum-viable-experiment",
        "We build the full production system first and test it after.",
        W,
    ),
    (
        "ds-engineering-handoff",
        "standard-format",
        "The engineers rewrite the model from the notebook in Java.",
        W,
    ),
    (
        "ds-engineering-handoff",
        "post-launch-ownership",
        "My job doesn't end at deployment: I own the monitoring with the on-call engineer.",
        R,
    ),
    (
        "case-churn-early-intervention",
        "baseline-first",
        "I would not jump straight to deep learning; a logistic regression baseline comes first.",
        R,
    ),
    (
        "case-purchase-propensity",
        "incremental-framing",
        "The highest propensity customers don't benefit most from the discount; many would buy anyway.",
        R,
    ),
    ("case-lifetime-value", "data-checks", "Young cohorts are not complete; their revenue is censored.", R),
    (
        "case-support-ticket-routing",
        "label-quality",
        "Historical labels are not ground truth: re-routed tickets keep the wrong first category.",
        R,
    ),
    ("case-demand-forecasting", "censored-demand", "Sales don't equal demand when shelves are empty.", R),
    (
        "case-transaction-fraud",
        "label-issues",
        "Chargebacks don't arrive immediately; labels mature over weeks.",
        R,
    ),
    (
        "case-cold-start-recommendations",
        "exploration-hybrid",
        "Collaborative filtering does not work for new users with no history.",
        R,
    ),
    ("behavioral-failure", "admitted-own-part", "I blame the data engineers for the broken feed.", W),
    (
        "cross-validation",
        "caveats",
        "Peeking at the test set is fine as long as you do it only a few times.",
        W,
    ),
    ("cross-validation", "caveats", "Peeking at the test set is not fine; it stays locked until the end.", R),
    ("cross-validation", "caveats", "I reuse the test set for tuning the depth.", W),
    ("cross-validation", "caveats", "I never reuse the test set for tuning; the folds are for tuning.", R),
    ("data-leakage", "examples", "Features recorded after the outcome are fine if they are accurate.", W),
    (
        "data-leakage",
        "examples",
        "Features recorded after the outcome are not fine, because they will not exist when we score.",
        R,
    ),
    (
        "exploratory-data-analysis",
        "leakage-check",
        "A suspiciously predictive feature is great news for the model.",
        W,
    ),
    (
        "exploratory-data-analysis",
        "leakage-check",
        "A suspiciously predictive feature is not great news; it usually means leakage.",
        R,
    ),
    ("case-transaction-fraud", "baseline-first", "I would throw away the existing rules and go fully ML.", W),
    (
        "case-transaction-fraud",
        "baseline-first",
        "I would not throw away the existing rules; they are the baseline to beat.",
        R,
    ),
    (
        "case-demand-forecasting",
        "baseline-first",
        "I would jump straight to deep learning with an LSTM per store.",
        W,
    ),
    (
        "case-demand-forecasting",
        "baseline-first",
        "Rather than jumping straight to deep learning, I start from seasonal naive.",
        R,
    ),
    (
        "case-churn-early-intervention",
        "data-checks",
        "Past calls are a random sample, so their outcomes are unbiased.",
        W,
    ),
    (
        "case-churn-early-intervention",
        "data-checks",
        "Past calls are not a random sample: agents chose whom to call.",
        R,
    ),
    ("case-purchase-propensity", "data-checks", "Past discounts were random, so the history is clean.", W),
    ("case-purchase-propensity", "data-checks", "Past discounts were not random; only openers got them.", R),
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


# The wrong claim described, not made: under a condition, or as what others do or say.
DESCRIBED = [
    ("data-leakage", "If you fit the scaler on the whole dataset, the test rows leak into the mean."),
    ("ab-test-design", "If you stop the test as soon as it is significant, false positives pile up."),
    ("overfitting", "People often judge the model on training accuracy, which hides overfitting."),
    (
        "precision-vs-recall",
        "People mix them up and say precision is the share of actual positives caught, which is recall.",
    ),
    ("explaining-to-stakeholders", "Some teams hide the limitations, and it always comes back to bite them."),
    ("behavioral-failure", "It was easy to blame the data engineers, but I owned the validation step."),
    ("experimentation-process", "Teams that discard failed experiments repeat them a year later."),
    ("class-imbalance", "A common mistake is to SMOTE the whole dataset before the split."),
]


@pytest.mark.parametrize(("question_id", "sentence"), DESCRIBED)
def test_a_misconception_described_rather_than_made_is_not_held_against_the_answer(
    pack, question_id, sentence
):
    g = grade_answer(sentence, pack.question(question_id), pack)
    assert not _wrong(g), _wrong(g)


def test_the_same_words_asserted_are_still_wrong(pack):
    for question_id, sentence in [
        ("data-leakage", "I fit the scaler on the whole dataset, then split it."),
        (
            "ab-test-design",
            "I stop early once it looks significant, to save traffic.",
        ),
        ("overfitting", "I judge the model on training accuracy, which is what matters."),
        ("class-imbalance", "My approach is to SMOTE the whole dataset before the split."),
    ]:
        g = grade_answer(sentence, pack.question(question_id), pack)
        assert _wrong(g), sentence


# A careful answer that later contradicts itself with one of the new wrong claims.
SELF_CONTRADICTING = [
    (
        "class-imbalance",
        "right-metric",
        "With 2% positives accuracy is useless, so I look at PR-AUC. I use class weights first and, if needed, "
        "oversample the minority class inside the training folds only, so validation keeps the real ratio. Then "
        "I tune the decision threshold to the team's capacity. Then again, accuracy is fine for imbalanced data "
        "once it is above 95%.",
    ),
    (
        "precision-vs-recall",
        "definitions",
        "Precision is the share of flagged cases that are truly positive and recall is the share of actual "
        "positives we catch. Which one to favour depends on the cost of false positives versus false negatives: "
        "favour recall for fraud, where a miss is expensive, favour precision for a spam filter. I tune the "
        "decision threshold on the precision-recall curve. Later on, to be fair, recall is the share of flagged "
        "cases that are correct.",
    ),
    (
        "ab-test-design",
        "fixed-duration-no-peeking",
        "I fix conversion as the primary metric with a hypothesis and guardrails, pick a minimum detectable "
        "effect worth shipping, and compute the sample size for 80% power at alpha 0.05. Users are randomly "
        "assigned to control and treatment, and the test runs for a fixed duration of two full weeks, with no "
        "peeking. I report the effect size with a confidence interval. In practice I stop the test as soon as "
        "it is significant.",
    ),
]


@pytest.mark.parametrize(
    ("question_id", "key_point", "answer"), SELF_CONTRADICTING, ids=[c[0] for c in SELF_CONTRADICTING]
)
def test_a_later_wrong_claim_is_a_contradiction_shown_with_both_quotes(pack, question_id, key_point, answer):
    g = grade_answer(answer, pack.question(question_id), pack)
    k = next(k for k in g.key_points if k.id == key_point)
    assert "contradiction" in g.flags and g.score <= 2.0, g
    assert k.misconception and k.contradicts and k.misconception in answer and k.contradicts in answer
    assert answer.index(k.contradicts) < answer.index(k.misconception)  # the later, wrong claim is quoted
