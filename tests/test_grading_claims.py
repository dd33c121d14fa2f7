"""Claim-level reading: a key phrase counts only where the candidate asserts it.

The answers here were written for these tests, in words that appear in no labelled set:
denials, retractions, contradictions and template padding, next to careful answers that
use negation the right way ("make sure nothing leaks", "never ship without monitoring").
"""

from __future__ import annotations

import pytest
from claim_status import status_of

from mockinterview.grading import grade_answer
from mockinterview.packs.loader import load_pack


@pytest.fixture(scope="module")
def pack():
    return load_pack()


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("I would never prioritise recall here.", "recall", "negated"),
        ("I do not believe, frankly, that a baseline helps.", "baseline", "dismissed"),
        ("I never think about the baseline.", "baseline", "dismissed"),
        ("There is no need for a holdout.", "holdout", "dismissed"),
        ("A holdout is overrated.", "holdout", "dismissed"),
        ("Calibration doesn't matter for this model.", "calibration", "dismissed"),
        ("Accuracy is useless with two percent positives.", "accuracy", "worthless"),
        # negation idioms and double negations assert
        ("There is no substitute for a holdout.", "holdout", "asserted"),
        ("Never ship a model without monitoring.", "monitoring", "asserted"),
        ("I never skip the baseline.", "baseline", "asserted"),
        # a determiner negation tells a fact; it does not reject a practice
        ("Forty percent of rows have no campaign id.", "campaign", "asserted"),
        # scope: a negation does not reach past "by", a preposition, or the subject's verb
        ("Avoid overfitting by regularising the weights.", "regularising", "asserted"),
        ("LIME can differ between reruns, which isn't great for a regulator.", "regulator", "asserted"),
        ("A model that says 'never buys' is 97% accurate.", "accurate", "asserted"),
        # qualifiers and conditionals keep a claim partly true
        ("A holdout is not always enough.", "holdout", "asserted"),
        ("Calibration does not always help.", "calibration", "asserted"),
        ("Calibration is not always needed.", "needed", "qualified"),
        ("If we couldn't randomise, I'd compare matched regions.", "randomise", "qualified"),
        ("I'd look at recall, not accuracy.", "accuracy", "qualified"),
    ],
)
def test_claim_status(text, word, expected):
    assert status_of(text, word) == expected


def test_doubt_and_retraction_take_a_statement_back():
    assert status_of("I'm not sure a holdout helps here.", "holdout") == "doubted"
    text = "I'd check the holdout first. Actually, scratch all of that: I'd ship it today."
    assert status_of(text, "holdout") == "retracted"
    assert status_of(text, "ship") == "asserted"
    # a retraction marker inside a sentence withdraws only what came before it there
    text = "We could oversample the minority class - no wait, class weights are simpler."
    assert status_of(text, "oversample") == "retracted"
    assert status_of(text, "weights") == "asserted"
    # "start over" told as part of a story is no retraction
    assert status_of("We had to start over with a fresh sample of stores.", "sample") == "asserted"


def test_a_rejection_of_what_others_say_withdraws_it():
    text = "Colleagues tell me to watch the calibration curve, but I never bother with that."
    assert status_of(text, "calibration") == "retracted"
    assert status_of("Some teams keep a holdout for every launch. We don't.", "holdout") == "retracted"
    # a first-person negation that goes on to say something else is no refusal
    assert status_of("We kept a holdout. We can't tell from that who churned later.", "holdout") == "asserted"
    assert status_of("We kept a holdout. I retrained without it and compared.", "holdout") == "asserted"


# (question id, answer): denials of the right ideas, in words of our own
DENIALS = [
    (
        "data-leakage",
        "Textbooks fuss about leakage, but I don't think it matters in practice. I would not split by "
        "time, and I never check whether a column exists at prediction time. Keeping preprocessing "
        "inside the folds is, in my view, unnecessary.",
    ),
    (
        "overfitting",
        "I don't think overfitting is a real concern with modern libraries. I never compare training and "
        "validation error, and regularisation is overrated. Cross-validation is a waste of time.",
    ),
    (
        "class-imbalance",
        "With two percent positives I wouldn't bother changing the metric. Resampling or class weights "
        "don't really help, and I never tune the threshold.",
    ),
    (
        "drift-detection",
        "Drift isn't something I'd spend time on. I never monitor the input distributions, and "
        "retraining on a schedule is unnecessary once the model is live.",
    ),
]


# Right ideas put in someone else's mouth and then refused, in several shapes.
REFUSED = [
    (
        "precision-vs-recall",
        "The usual advice is to weigh what a miss costs against a false alarm and move the threshold. I "
        "wouldn't bother with any of it - the default cut-off is what everyone uses.",
    ),
    (
        "ab-test-design",
        "Randomising users, computing a sample size up front and not peeking are what the textbooks say. "
        "In practice I skip all that: launch the new checkout, compare this week to last week, done.",
    ),
    (
        "data-leakage",
        "Leakage, time-based splits, point-in-time features - I know the theory, but honestly it's "
        "academic. I just use every column we have and shuffle randomly.",
    ),
    (
        "drift-detection",
        "Monitoring input distributions and tracking live accuracy sounds nice. Not for me though. Once "
        "it's deployed, the model is done.",
    ),
    (
        "class-imbalance",
        "Resampling, class weights, threshold moving, PR curves: I've never found them worth it. Accuracy "
        "tells you everything you need.",
    ),
    (
        "overfitting",
        "You could watch the gap between training and validation loss, add regularisation or stop early. "
        "None of that is needed if the dataset is big; I simply train the biggest model I can.",
    ),
]


@pytest.mark.parametrize(("question_id", "answer"), DENIALS + REFUSED)
def test_denying_the_key_points_earns_nothing(pack, question_id, answer):
    g = grade_answer(answer, pack.question(question_id), pack)
    assert g.score <= 2.0, g
    assert len(g.covered) <= 1


def test_a_contradiction_is_caught_and_shown(pack):
    answer = (
        "Overfitting is when the model memorises noise: it does well on training data and badly on new "
        "data, and you see it as a gap between training and validation error. Then again, a big gap "
        "between training and validation error is nothing to worry about."
    )
    g = grade_answer(answer, pack.question("overfitting"), pack)
    assert "contradiction" in g.flags and g.score <= 2.0
    contradicted = [k for k in g.key_points if k.contradicts]
    assert contradicted and all(k.misconception in answer and k.contradicts in answer for k in contradicted)
    assert "contradicts itself" in g.feedback


def test_a_retracted_answer_is_graded_on_what_remains(pack):
    good = (
        "Leakage means the model sees at training time something it won't have when it predicts, like a "
        "field filled in after the outcome. I'd split by time and keep preprocessing inside the folds."
    )
    retracted = good + " Actually, forget what I said - I'd throw every column in and trust the score."
    q = pack.question("data-leakage")
    assert grade_answer(good, q, pack).score >= 3.5
    g = grade_answer(retracted, q, pack)
    assert "retracted" in g.flags and g.score <= 2.0


def test_negation_used_the_right_way_keeps_its_credit(pack):
    answer = (
        "Leakage is information at training time that the model won't have when it predicts. I split by "
        "time so nothing from the future leaks into training, fit the scaler inside each fold, and never "
        "trust a score that jumps after adding one field without checking when that field is filled in."
    )
    g = grade_answer(answer, pack.question("data-leakage"), pack)
    assert {"definition", "temporal-validation", "preprocessing-in-folds"} <= {k.id for k in g.covered}
    assert not any(k.misconception for k in g.key_points)
    assert "contradiction" not in g.flags


TEMPLATES_PADDED = [
    "In my experience, {e} is really important.",
    "I always think carefully about {e}.",
    "A key consideration is {e}.",
    "Another big factor is {e}.",
]
TEMPLATES_DENIED = [
    "I never think about {e}.",
    "Honestly, {e} doesn't matter.",
    "I would not bother with {e}.",
    "{E} is overrated.",
]


def _wrap(templates: list[str], question) -> str:
    exprs = [kp.expressions[0] for kp in question.key_points]
    return " ".join(
        templates[i % len(templates)].format(e=e, E=e[:1].upper() + e[1:]) for i, e in enumerate(exprs)
    )


def test_every_bank_question_resists_padding_denial_contradiction_and_retraction(pack):
    over = []
    for q in pack.questions:
        padded = _wrap(TEMPLATES_PADDED, q)
        denied = _wrap(TEMPLATES_DENIED, q)
        probes = {
            "padded": padded,
            "denied": denied,
            "contradiction": padded + " " + denied,
            "contradiction reversed": denied + " " + padded,
            "retracted": q.reference_answer + " Scratch all of that - I'd just go with my gut and move on.",
        }
        for name, answer in probes.items():
            score = grade_answer(answer, q, pack).score
            if score > 2.0:
                over.append((q.id, name, score))
        reference = grade_answer(q.reference_answer, q, pack).score
        if reference < 4.0:
            over.append((q.id, "reference answer", reference))
    assert not over, over


@pytest.mark.parametrize("question_id", ["data-leakage", "exploratory-data-analysis", "ab-test-design"])
def test_a_point_only_named_earns_part_of_its_credit(pack, question_id):
    """Naming a practice is not explaining it: a point whose only evidence is a padded naming
    ("Truly, X plays a central part.") earns partial credit; the same point with a reason earns it."""
    from mockinterview.grading.heuristic import NAMED_ONLY_CREDIT

    q = pack.question(question_id)
    kp = q.key_points[0]
    e = kp.expressions[0]
    named = grade_answer(f"Truly, {e} plays a central part.", q, pack)
    reasoned = grade_answer(
        f"I rely on {e}, because without it the offline estimate overstates what we would see after launch.",
        q,
        pack,
    )
    named_kp = next(k for k in named.key_points if k.id == kp.id)
    reasoned_kp = next(k for k in reasoned.key_points if k.id == kp.id)
    assert named_kp.covered and named_kp.credit == NAMED_ONLY_CREDIT
    assert reasoned_kp.covered and reasoned_kp.credit in (None, 1.0)
    assert named.score < reasoned.score


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        # a verbal determiner reaches through one preposition or an infinitive
        ("Honestly there is no reason to worry about seasonality.", "seasonality", "dismissed"),
        ("We saw no point in a holdout.", "holdout", "dismissed"),
        ("There's no reason to run a baseline.", "baseline", "dismissed"),
        ("No one really needs a dashboard.", "dashboard", "dismissed"),
        # reversals and dismissals in other words
        ("Our lead argued against stratification.", "stratification", "negated"),
        ("There's little reason for a holdout.", "holdout", "negated"),
        ("Stratifying is not something we do.", "stratifying", "dismissed"),
        ("A second holdout adds nothing.", "holdout", "dismissed"),
        ("Let's not spend energy on tuning.", "tuning", "dismissed"),
        ("Seasonality isn't something our team models.", "seasonality", "dismissed"),
        ("I don't see the point of a holdout.", "holdout", "dismissed"),
        ("Stacking three boosted models with a logistic layer on top adds nothing.", "stacking", "dismissed"),
        # a denied dismissal asserts
        ("Calibration is not overrated.", "calibration", "asserted"),
        ("A baseline is never pointless.", "baseline", "asserted"),
        ("A dashboard is not useless here.", "dashboard", "asserted"),
    ],
)
def test_negation_in_more_of_its_forms(text, word, expected):
    assert status_of(text, word) == expected


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        # a clause with no subject that dismisses the sentence before it takes it back
        ("Should we stratify the folds? Unnecessary.", "stratify", "retracted"),
        ("We could calibrate the scores. Never necessary, really.", "calibrate", "retracted"),
        ("People love a dashboard. A waste of time, in my view.", "dashboard", "retracted"),
        # ... but a qualified or idiomatic "not" does not
        ("Is a holdout needed? Not always.", "holdout", "asserted"),
        ("We calibrate the scores. Not only that, we monitor them.", "calibrate", "asserted"),
    ],
)
def test_an_elliptical_dismissal_takes_back_what_came_before(text, word, expected):
    assert status_of(text, word) == expected
