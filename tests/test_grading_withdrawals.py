"""Withdrawals built from their parts, and turnabouts (grading/claims.py, language.toml).

A candidate takes an answer back in more ways than any list holds: a verb of withdrawing
with a reference back ("bin all that"), a reference to the answer with a word that
withdraws it ("I'd disregard my earlier points"), a refusal of what was said ("I don't
stand by any of this"), or a concession that then takes the other side ("Then again, I
really don't see the need"). The sentences here were written for these tests, in words
that appear in no labelled set and in none of the lexicon's own examples.
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
    ("text", "word"),
    [
        # a bare verb of withdrawing, then a reference back that ends its clause
        ("Stratify the folds by region. Bin all that - I'd eyeball it.", "stratify"),
        ("Calibrate the scores on fresh data. Ditch that.", "calibrate"),
        ("Log every prediction with its inputs. Toss out everything above; one split will do.", "log"),
        # a reference that can only mean the answer, with a word that withdraws it
        ("Keep a holdout per month. On reflection I'd disregard my earlier points entirely.", "holdout"),
        ("Audit the label source first. Everything I said is rubbish, frankly.", "audit"),
        # a refusal of what was said, by the candidate now
        ("Keep a holdout per month. I don't stand by any of this, to be fair.", "holdout"),
        ("Keep a holdout per month. I wouldn't bother with any of those steps for a prototype.", "holdout"),
        ("Keep a holdout per month. None of those steps is needed for a prototype.", "holdout"),
        # the reference as the subject of its own withdrawal
        ("Weight the rare class. All of this is theory, though.", "weight"),
    ],
)
def test_a_built_withdrawal_takes_the_answer_back(text, word):
    assert status_of(text, word) == "retracted"


@pytest.mark.parametrize(
    ("text", "word"),
    [
        # a verb of withdrawing that names a thing, or is told as part of a story
        ("Calibrate the scores on fresh data. We ditched that vendor later.", "calibrate"),
        ("Keep a holdout per month. Our lead wanted to scrap all of it, and I argued for keeping it.", "holdout"),
        ("Keep a holdout per month. We decided to drop all of that once the audit passed.", "holdout"),
        # refusing to withdraw endorses
        ("Keep a holdout per month. I wouldn't skip any of it for a prototype.", "holdout"),
        # a reference followed by the thing it names
        ("Keep a holdout per month. None of those vendors were needed in the end.", "holdout"),
        # a condition, not a withdrawal
        ("Keep a holdout per month. If any of that is wrong, the dashboard shows it within a week.", "holdout"),
        ("Keep a holdout per month. Everything above assumes the labels arrive on time; if they are wrong, fix that first.", "holdout"),
    ],
)
def test_what_only_looks_like_a_withdrawal_takes_nothing_back(text, word):
    assert status_of(text, word) == "asserted"


def _concept_questions(pack):
    return [q for q in pack.questions if q.round != "behavioral" and q.kind != "behavioral"]


def test_a_turnabout_is_read_as_a_contradiction_on_every_question(pack):
    turn = " Then again, I really don't see why anyone bothers with this; gut feel works."
    for q in _concept_questions(pack):
        g = grade_answer(q.reference_answer + turn, q, pack)
        assert "contradiction" in g.flags, q.id
        assert g.score <= 2.0, (q.id, g.score)


@pytest.mark.parametrize(
    "addition",
    [
        " That said, I'd also keep an eye on calibration after launch.",
        " Having said that, it won't catch every problem, so a person reviews the first batch.",
        " Even so, the first month needs a closer look than the rest.",
    ],
)
def test_a_concession_that_adds_a_caveat_is_no_turnabout(pack, addition):
    for q in _concept_questions(pack):
        plain = grade_answer(q.reference_answer, q, pack)
        g = grade_answer(q.reference_answer + addition, q, pack)
        assert "contradiction" not in g.flags, (q.id, addition)
        assert g.score >= plain.score - 0.5, (q.id, plain.score, g.score)


@pytest.mark.parametrize(
    "answer",
    [
        # a cue set under a condition is weighed, not claimed; the rest of the answer has
        # observational words that would complete the mistake if it were claimed
        "We launched the ranker in March and conversion went up. A bigger model is worth a look only if it "
        "clearly improves recall on the rare intents.",
        "Sales went up after the redesign; whether the redesign clearly drives sales is what I'd want to know next.",
    ],
)
def test_a_mistake_cue_under_a_condition_is_not_stated(pack, answer):
    q = pack.question("case-support-ticket-routing")
    g = grade_answer(answer, q, pack)
    assert "correlation-as-causation" not in [m.id for m in g.mistakes]


def test_a_misconception_is_not_assembled_across_a_consequence(pack):
    """", so" starts a new statement: its words cannot complete a misconception begun before."""
    q = pack.question("case-purchase-propensity")
    across = "Past discounts went to engaged readers only, so I'd keep a random slice of each send as a control."
    stated = "Past discounts were random, so the history is a clean experiment we can learn uplift from."
    wrong = {k.id for k in grade_answer(across, q, pack).key_points if k.misconception}
    assert "data-checks" not in wrong
    wrong = {k.id for k in grade_answer(stated, q, pack).key_points if k.misconception}
    assert "data-checks" in wrong


@pytest.mark.parametrize(
    ("text", "word"),
    [
        # a verdict said of what was just listed, in the candidate's own clause
        ("Holdouts per region, shadow scoring, a rollback switch - it all slows the team down.", "rollback"),
        ("Calibration plots and reliability curves come up a lot, but I'd leave them out for this.", "calibration"),
        ("Stratified folds, grouped folds, nested tuning: that's bureaucracy for a weekend prototype.", "stratified"),
        ("Tracking the score distribution per market is the textbook move, but honestly it's mostly noise.", "tracking"),
        ("Some reviewers want per-segment error tables, and I'd file that under theoretical.", "error"),
    ],
)
def test_a_verdict_on_what_was_just_listed_withdraws_it(text, word):
    assert status_of(text, word) == "retracted"


@pytest.mark.parametrize(
    ("text", "word"),
    [
        # the same words said of something else, or a verdict refused
        ("I'd relabel a sample to measure the label noise before training.", "relabel"),
        ("Calibration plots matter here, and I wouldn't leave them out.", "calibration"),
        ("Per-segment error tables are what regulators read, so I'd keep them.", "error"),
    ],
)
def test_a_verdict_word_used_otherwise_withdraws_nothing(text, word):
    assert status_of(text, word) == "asserted"


@pytest.mark.parametrize(
    ("question_id", "answer", "mistake"),
    [
        # the remedy first, then a decision that ignores it: the answer says both
        (
            "data-leakage",
            "Leakage means a field carries the outcome, so I'd check every column's timestamp against the decision "
            "time. Our claims model scores an AUC of 0.99, so we present that as the headline and ship next sprint.",
            "leakage-unchecked",
        ),
        (
            "case-demand-forecasting",
            "Weekly sales have seasonality, so I'd hold out the most recent period to respect time. To keep it quick, "
            "though, I'd shuffle the rows and do a random split 80/20 on the daily history.",
            "leakage-unchecked",
        ),
        (
            "drift-detection",
            "I'd track the weekly score distribution and the input mix per country. Once the model is live there is no "
            "need to monitor it; it runs itself.",
            "no-monitoring",
        ),
    ],
)
def test_a_remedy_said_first_does_not_excuse_a_later_decision(pack, question_id, answer, mistake):
    g = grade_answer(answer, pack.question(question_id), pack)
    assert mistake in [m.id for m in g.mistakes], (g.score, [m.id for m in g.mistakes])


def test_a_remedy_after_the_trigger_still_clears_it(pack):
    answer = (
        "Our fraud model came out at an AUC of 0.99, which made me suspicious, so I checked every field's "
        "timestamp against the filing time and found a leak."
    )
    g = grade_answer(answer, pack.question("data-leakage"), pack)
    assert "leakage-unchecked" not in [m.id for m in g.mistakes]


def test_swapping_the_two_things_a_question_contrasts_is_a_wrong_claim(pack):
    q = pack.question("bagging-vs-boosting")
    swapped = (
        "In boosting each tree is grown independently on its own bootstrap sample and the votes are averaged. "
        "Bagging grows trees one after another, each fitted to the errors of the previous ones. "
        "Random forest and LightGBM are the usual examples."
    )
    g = grade_answer(swapped, q, pack)
    wrong = {k.id for k in g.key_points if k.misconception}
    assert {"bagging-mechanics", "boosting-mechanics"} <= wrong, wrong
    assert g.score <= 2.0


def test_a_rival_named_in_a_comparison_is_not_a_swap(pack):
    q = pack.question("bagging-vs-boosting")
    right = (
        "Boosting, unlike bagging, grows its trees one after another, each fitted to the errors of the previous "
        "ones; LightGBM is the usual example. Compared with boosting, bagging averages trees grown independently "
        "on bootstrap samples, as a random forest does."
    )
    g = grade_answer(right, q, pack)
    covered = {k.id for k in g.key_points if k.covered}
    assert {"bagging-mechanics", "boosting-mechanics"} <= covered, covered
    assert not any(k.misconception for k in g.key_points)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Shadow scoring, a rollback switch and drift alerts come up a lot - we can manage without them.", "rollback"),
        ("Shadow scoring, a rollback switch and drift alerts come up a lot - I've never seen those pay off.", "rollback"),
        ("Shadow scoring, a rollback switch and drift alerts come up a lot - more ceremony than a pilot needs.", "rollback"),
        ("Shadow scoring, a rollback switch and drift alerts come up a lot - I'd shelve all of that.", "rollback"),
        ("Shadow scoring, a rollback switch and drift alerts come up a lot, but none of it moves the needle.", "rollback"),
    ],
)
def test_more_verdicts_on_what_was_just_listed(text, word):
    assert status_of(text, word) == "retracted"


@pytest.mark.parametrize(
    "text",
    [
        "A rollback switch is the one thing we can't do without.",
        "I'd never shelve the rollback switch, even for a pilot.",
        "The rollback switch paid off twice in the first month.",
    ],
)
def test_the_same_words_endorsing_withdraw_nothing(text):
    assert status_of(text, "rollback") == "asserted"


def test_the_feedback_quotes_the_turnabout(pack):
    q = pack.question("cross-validation")
    turn = "Then again, I really don't see why anyone bothers with folds; one split is fine."
    g = grade_answer(q.reference_answer + " " + turn, q, pack)
    assert "contradiction" in g.flags
    assert "Then again, I really don't see why anyone bothers with folds" in g.feedback


def test_a_nearly_complete_plan_is_not_judged_on_the_step_it_leaves_out(pack):
    """Omissions (a plan with no monitoring) are reported for thin plans, not for an answer
    that covers nearly all of the rubric."""
    q = pack.question("case-churn-early-intervention")
    thin = (
        "I'd train a gradient boosting classifier on the three years of subscriber history to predict who "
        "churns, deploy it to production to score everyone each Monday, and hand the retention team the top "
        "2,000 to call."
    )
    thin_grade = grade_answer(thin, q, pack)
    assert "no-monitoring" in [m.id for m in thin_grade.mistakes]

    # the model answer without its monitoring and experiment sentences
    full = " ".join(
        s
        for s in q.reference_answer.split(". ")
        if not any(w in s.lower() for w in ("monitor", "drift", "holdout", "hold out", "random", "experiment"))
    )
    full_grade = grade_answer(full, q, pack)
    from mockinterview.grading.scoring import coverage

    assert coverage(full_grade.key_points, {k.id: k.weight for k in q.key_points}) >= 0.8
    assert "no-monitoring" not in [m.id for m in full_grade.mistakes]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        # a rejection followed by a simpler plan in the place of the whole answer
        ("Audit the label source. Stratify by region. Honestly, that's overkill - I'd simply fit a tree and go.", "audit"),
        ("Audit the label source. Stratify by region. Too complicated. Just fit a tree and go.", "audit"),
        ("Audit the label source. Stratify by region. Maybe not. We'd just fit a tree instead.", "audit"),
    ],
)
def test_a_rejection_with_a_simpler_plan_in_its_place_sets_aside_the_whole_answer(text, word):
    assert status_of(text, word) == "retracted"


def test_a_rejection_of_one_option_keeps_the_rest(pack):
    # the dismissed option is the sentence before; what came earlier stands
    text = "Audit the label source. A deep network is one option. That's overkill for this; a tree is fine."
    assert status_of(text, "audit") == "asserted"


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        # a bare item of a list is governed by what governs the list
        ("I wouldn't spend time on a holdout, calibration, or shadow scoring.", "shadow", "dismissed"),
        ("A holdout, calibration and shadow scoring are all overrated.", "holdout", "dismissed"),
        ("There's no need for stratified folds, class weights or threshold tuning.", "threshold", "dismissed"),
        # an item that is a clause of its own is not
        ("I wouldn't trust the AUC, we track calibration weekly.", "calibration", "asserted"),
        ("We never skipped it, and calibration runs every night now.", "calibration", "asserted"),
        ("Never ship without a holdout, calibration, or a rollback switch.", "rollback", "asserted"),
    ],
)
def test_negation_over_a_list_of_items(text, word, expected):
    assert status_of(text, word) == expected


@pytest.mark.parametrize(
    "answer",
    [
        # a reversal said as the purpose of an act acts on a hazard; it takes nothing back
        "Overfitting means the model memorises the training rows and fails on new ones. I add an L1 penalty to prevent it.",
        "Overfitting means the model memorises the training rows and fails on new ones. To avoid it I prune the trees "
        "and stop early on a validation fold.",
    ],
)
def test_a_purpose_clause_is_no_retraction(pack, answer):
    g = grade_answer(answer, pack.question("overfitting"), pack)
    assert "retracted" not in g.flags
    assert "definition" in {k.id for k in g.key_points if k.covered}


def test_a_remedy_acting_on_the_problem_refuses_nothing(pack):
    """'I prevent it with ...' names the hazard being handled (found by a new user: the
    definition before it was withdrawn)."""
    answer = (
        "Overfitting is when a model memorises quirks of the training rows and does poorly on rows it has not "
        "seen. I spot it from the gap between training and validation loss, and I guard against it with "
        "dropout, smaller networks and early stopping."
    )
    g = grade_answer(answer, pack.question("overfitting"), pack)
    assert "retracted" not in g.flags
    assert {"definition", "train-validation-gap"} <= {k.id for k in g.key_points if k.covered}


def test_a_wrong_sentence_earns_no_paraphrase_credit(pack):
    """The sentence that states a misconception is not evidence for another point (found by
    a new user: 'preprocessing in folds' got 15% from the privacy-breach definition)."""
    answer = "Data leakage is when customer data leaks out of the company, like a privacy breach."
    g = grade_answer(answer, pack.question("data-leakage"), pack)
    wrong = [k for k in g.key_points if k.misconception]
    assert wrong
    assert not any(k.credit for k in g.key_points if not k.misconception)


def test_no_strong_answer_praise_for_a_story_that_covers_none_of_the_points(pack):
    from mockinterview.domain.grade import KeyPointCoverage
    from mockinterview.grading.feedback import build_feedback

    points = [KeyPointCoverage(id=f"p{i}", text=f"point {i}", covered=False) for i in range(5)]
    assert "Strong answer" not in build_feedback(4.0, points, [], [], [], pack)
    points = [KeyPointCoverage(id=f"p{i}", text=f"point {i}", covered=i < 3) for i in range(5)]
    assert "Strong answer" in build_feedback(4.5, points, [], [], [], pack)


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        # a scene-setting tail does not make a short verdict say something new
        ("Shadow scoring and a rollback switch. Not worth the hassle for a first version of the model.", "rollback", "retracted"),
        ("Shadow scoring and a rollback switch. Overkill for a small team shipping its first weekly model.", "rollback", "retracted"),
        # a clause with claims of its own before the tail is no verdict
        ("Keep a rollback switch. Not cheap, but it saved us twice in production.", "rollback", "asserted"),
    ],
)
def test_a_short_verdict_with_a_scene_setting_tail(text, word, expected):
    assert status_of(text, word) == expected
