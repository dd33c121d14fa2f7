"""A second role pack, written as data only: rubrics/analytics-engineer.

It proves a mentor can add a role - its own rounds, questions, mistakes and word lists - with
working offline grading and mistake detection and no change to the package. The answers below
are written for these tests in words of their own, not the pack's examples (a test checks
that no long run of words is shared), so they measure whether the pack's word lists and
detector settings generalise rather than whether they remember their examples.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mockinterview.engine.pack_lint import lint_pack
from mockinterview.engine.session import InterviewConfig, InterviewSession, plan_questions
from mockinterview.grading import grade_answer
from mockinterview.packs.loader import load_pack_dir
from mockinterview.resources import rubrics_dir
from mockinterview.storage.transcripts import load_transcript

PACK_DIR = rubrics_dir() / "analytics-engineer"
PACK_ID = "analytics-engineer"
OWN_MISTAKES = (
    "fan-out-join",
    "dashboard-patch",
    "untested-model",
    "metric-without-grain",
    "order-taking",
    "story-without-outcome",
    "impact-without-numbers",
)
# The source documents the bundled pack was written from, beside the checkout (or a worktree's).
SEEDS = next(
    (p / "shared" / "seeds" for p in Path(__file__).resolve().parents if (p / "shared" / "seeds").is_dir()),
    Path("/nonexistent"),
)


@pytest.fixture(scope="module")
def pack():
    return load_pack_dir(PACK_DIR)


def _grade(pack, question_id: str, answer: str):
    return grade_answer(answer, pack.question(question_id), pack)


# ------------------------------------------------------------------------------------------
# The pack itself


def test_the_pack_loads_and_lints_with_no_problem(pack):
    problems, warnings, loaded = lint_pack(PACK_DIR)
    assert loaded is not None and not problems, [str(p) for p in problems]
    # The one expected warning: the data-scientist canonical ids do not fit this role.
    assert [w.message for w in warnings if "canonical" not in w.message] == []
    assert {m.id for m in pack.mistakes} >= set(OWN_MISTAKES)


def test_rubrics_lint_command_reports_ok(capsys):
    from mockinterview.cli.main import main

    assert main(["rubrics", "lint", str(PACK_DIR)]) == 0
    out = capsys.readouterr().out
    assert f"{PACK_ID}: ok (" in out and "error:" not in out


def test_the_pack_declares_its_own_rounds_and_fills_them(pack):
    rounds = [r.id for r in pack.meta.rounds]
    assert rounds == ["technical", "metrics", "data-quality", "behavioral"]
    for r in rounds:
        assert 2 <= len(pack.questions_for(r)) <= 3, r
    assert all(q.kind == "behavioral" for q in pack.questions_for("behavioral"))
    for q in pack.questions:
        assert len(q.key_points) >= 4 and len(q.follow_ups) >= 3, q.id
        assert len(q.reference_answer.split()) >= 120, q.id
        assert q.mistakes and q.context, q.id
        # Every reference answer is recognised by its own rubric.
        assert _grade(pack, q.id, q.reference_answer).score >= 4.5, q.id


def test_every_own_mistake_has_varied_examples_and_a_behavioral_one_is_a_story_check(pack):
    for mid in OWN_MISTAKES:
        m = pack.mistake(mid)
        assert len(m.positive_examples) >= 2 and len(m.negative_examples) >= 2, mid
        assert m.detectors, mid
    story = [m for m in pack.mistakes if any(d.kind == "story-check" for d in m.detectors)]
    assert story and all(m.applies_to == ["behavioral"] for m in story)


# ------------------------------------------------------------------------------------------
# Mistakes found in answers written in new words

MAKES_THE_MISTAKE = [
    # fan-out-join
    (
        "fan-out-join",
        "join-double-counting",
        "Probably finance excludes something we include. I'd line our filters up with theirs and rerun the "
        "query that joins orders with their line items and the promo table and totals the order amount per "
        "category.",
    ),
    (
        "fan-out-join",
        "dimensional-modelling",
        "I'd keep it simple with one wide table where each invoice is joined to its subscription, its plan "
        "changes and the customer, and MRR is the sum of the invoice amount over whatever rows come out, "
        "grouped by plan.",
    ),
    (
        "fan-out-join",
        "join-double-counting",
        "The gap is most likely tax or timing. The joins are fine, a join doesn't change how many rows you "
        "get when the keys match, so I would spend my time on the filters.",
    ),
    # dashboard-patch
    (
        "dashboard-patch",
        "numbers-disagree",
        "With the board pack due, I'd put a correction into the Tableau workbook that takes 6% off the "
        "quarter so it lines up with the ERP.",
    ),
    (
        "dashboard-patch",
        "broken-pipeline-incident",
        "Before 9:30 I'd type the real weekend revenue from the payments portal straight into the dashboard "
        "tile so the CEO sees a correct figure, and look at the pipeline later in the week.",
    ),
    (
        "dashboard-patch",
        "define-active-customers",
        "In Looker I'd add a dashboard filter that drops staff and test accounts, since that's the view "
        "leadership actually uses.",
    ),
    # untested-model
    (
        "untested-model",
        "testing-strategy",
        "I'd run it once against last month, see that the total is close to what finance had, and if it is, "
        "ship it in time for month-end.",
    ),
    (
        "untested-model",
        "incremental-models",
        "I'd change the materialization to incremental with a filter on the max event timestamp, merge on the "
        "event id, and push it to production tonight so tomorrow's 7am refresh is quick.",
    ),
    (
        "untested-model",
        "broken-pipeline-incident",
        "Tests would not have helped here because the format change came from the vendor. I'd fix the "
        "parsing and rerun the job.",
    ),
    (
        "untested-model",
        "join-double-counting",
        "I'd fix the join, eyeball the category totals next to finance's report and hand the model back to "
        "them.",
    ),
    # metric-without-grain
    (
        "metric-without-grain",
        "define-active-customers",
        "An active customer is anyone who has bought something from us. That's the number I'd put on the "
        "shared dashboard.",
    ),
    (
        "metric-without-grain",
        "define-active-customers",
        "I'd just go with what product uses, people who opened the app, because it's the bigger and more "
        "flattering number.",
    ),
    (
        "metric-without-grain",
        "define-active-customers",
        "Honestly the precise cutoff for active is not that important, the trend is what leadership cares "
        "about, so I'd count customers with orders and move on.",
    ),
    # order-taking
    (
        "order-taking",
        "dashboard-request",
        "He's the director and it's his call, so I'd build the forty charts he listed and work late to hit "
        "Friday.",
    ),
    (
        "order-taking",
        "behavioral-prioritisation",
        "I simply took requests in the order they landed in my inbox and worked through them one by one "
        "until the backlog was gone.",
    ),
    (
        "order-taking",
        "dashboard-request",
        "My approach is to never second-guess stakeholders: if sales wants forty charts, sales gets forty "
        "charts.",
    ),
    # story-without-outcome
    (
        "story-without-outcome",
        "behavioral-data-error",
        "Last spring a product manager spotted that our signup numbers were double what the app store showed. "
        "I dug into the events model, traced it to a duplicated tracking call and spent the afternoon "
        "rewriting the dedup logic with her.",
    ),
    (
        "story-without-outcome",
        "behavioral-pushback",
        "The marketing lead wanted a real-time dashboard of ad spend. I explained that our spend data only "
        "lands daily and suggested a morning email digest instead, and we went through a few rounds of "
        "discussion about it.",
    ),
    # impact-without-numbers
    (
        "impact-without-numbers",
        "behavioral-prioritisation",
        "Once the self-serve explore was live, the sales team stopped pinging me for every cut and my backlog "
        "became far more manageable. Everyone was much happier.",
    ),
    (
        "impact-without-numbers",
        "behavioral-data-error",
        "I fixed the retention logic and re-sent the reports, and leadership really appreciated how quickly I "
        "owned it.",
    ),
    # Written after the pack was tuned on the answers above (the second and third rounds of
    # new answers, kept here once the gaps they showed were closed in the word lists).
    (
        "fan-out-join",
        "dimensional-modelling",
        "For MRR by region I'd build a model that starts from subscriptions, left joins the invoice lines "
        "and the region history, and adds up the monthly amount for each region. Then Looker can slice it "
        "by plan as well.",
    ),
    (
        "fan-out-join",
        "join-double-counting",
        "I'd first line up the definition with finance, so exclude cancelled orders, tax and shipping, "
        "because that usually explains most of a 30% gap. Then I'd rebuild the query: orders inner joined "
        "to order_lines and promotions, sum of order_total by category, and compare again.",
    ),
    (
        "dashboard-patch",
        "numbers-disagree",
        "Honestly I'd just scale the dashboard figure by the ratio between the two systems for the board "
        "pack, since the definitions debate could take weeks.",
    ),
    (
        "dashboard-patch",
        "dashboard-request",
        "If the director disagrees with a number, I'll tweak the Tableau calculation for his view so he "
        "is happy before Friday.",
    ),
    (
        "untested-model",
        "incremental-models",
        "Switch to incremental on the loaded_at column with a three-day lookback, dedupe on event_id, and "
        "then release it; if the numbers look off, the product team will flag it soon enough.",
    ),
    (
        "untested-model",
        "testing-strategy",
        "To be honest, for month-end I'd rely on finance spotting anything odd; adding freshness checks "
        "and tests is overkill for a model this small.",
    ),
    (
        "untested-model",
        "join-double-counting",
        "Once I swap order_total for line_amount I'd deploy the fix straight away so finance has the "
        "right category numbers this afternoon.",
    ),
    (
        "metric-without-grain",
        "define-active-customers",
        "I'd define an active customer as a customer with an order, put that in the semantic layer and "
        "have both teams use it.",
    ),
    (
        "metric-without-grain",
        "define-active-customers",
        "Let's not get lost in edge cases like test accounts or time zones; the metric is total customers "
        "who interacted with us.",
    ),
    (
        "order-taking",
        "behavioral-pushback",
        "A product manager asked for a cohort retention report with twenty breakdowns. I didn't push "
        "back; I figured she knew what she needed, so I built all of it over two sprints and handed it "
        "over.",
    ),
    (
        "order-taking",
        "dashboard-request",
        "My job is to deliver what the business asks for, so I'd take the list of forty charts, split "
        "them across the team and aim to have every one of them done by Friday.",
    ),
    (
        "impact-without-numbers",
        "behavioral-pushback",
        "I convinced the head of sales to drop the forty-chart idea in favour of a one-page pipeline "
        "view. It was a huge success and the regional managers use it all the time now.",
    ),
    (
        "fan-out-join",
        "join-double-counting",
        "My guess is that finance and we simply define revenue differently. Finance probably reports net "
        "of tax, shipping and cancellations, while our model takes order_total as it is. I'd sit down "
        "with the finance analyst, go through their query, and align the filters. Then I'd rebuild the "
        "model joining orders to order lines and promotions again and sum order_total per category, and "
        "hopefully the two numbers agree after that. If they don't, I'd look at currency conversion.",
    ),
    (
        "untested-model",
        "testing-strategy",
        "I'd focus on making the SQL really clean: clear CTEs, good naming, comments explaining the "
        "business logic, and documentation in the YAML so finance understands each column. I'd walk the "
        "finance lead through the logic on a call and get her sign-off. Once she is happy the branch "
        "gets merged and the month-end report reads from it. If something looks wrong at close, finance will tell us "
        "and we can patch it quickly.",
    ),
    (
        "dashboard-patch",
        "broken-pipeline-incident",
        "First I'd check whether the 4am job finished and whether all sources loaded; a 40% drop smells "
        "like a data problem. I'd compare the weekend with the payments portal. If the portal shows "
        "normal sales, I'd send a quick note to the CEO's office. Since the meeting is at 9:30 and "
        "there's no time for a proper fix, I'd override the weekend revenue in the dashboard with the "
        "portal's figure and sort out the pipeline properly next week.",
    ),
    (
        "metric-without-grain",
        "define-active-customers",
        "I'd bring product and marketing together and agree one definition, because two numbers erode "
        "trust. I'd propose that an active customer is someone who placed an order, since ordering is "
        "what actually makes us money, and app opens are a vanity metric. Then I'd build it once in dbt, "
        "expose it through the semantic layer and retire the two old versions so there's a single source "
        "of truth. I'd document it in the catalog with an owner.",
    ),
    (
        "order-taking",
        "dashboard-request",
        "Friday is tight, so I'd get going immediately. I'd ask the director to send me the list of forty "
        "charts with the exact fields he wants on each, group them into a few tabs, and reuse our tested "
        "pipeline models so the numbers match other reports. I'd check in on Wednesday to show progress "
        "and make sure everything he asked for is there by Friday.",
    ),
    (
        "impact-without-numbers",
        "behavioral-data-error",
        "At my previous company I published a weekly churn figure that turned out to be wrong because I "
        "had joined on the account instead of the subscription. I told my manager the same morning, "
        "traced the bug, fixed the model and re-sent the report with a note. I also added a test "
        "comparing the count to billing. It made a real difference: leadership trusted the reports much "
        "more afterwards.",
    ),
]

AVOIDS_THE_MISTAKE = [
    (
        "fan-out-join",
        "join-double-counting",
        "My first suspicion is that order_total gets repeated: every order appears once per line, and again "
        "per promo code, after those joins. I'd take category revenue from line_amount at the line level and "
        "collapse the promotions to a single row per order before bringing them in.",
    ),
    (
        "fan-out-join",
        "dimensional-modelling",
        "The invoice line fact has one row per billed line, and plan and customer are joined on surrogate "
        "keys that are unique in their dimensions, so summing amounts never double counts.",
    ),
    (
        "fan-out-join",
        "incremental-models",
        "I'd switch it to an incremental model that only picks up rows loaded since the last run, merges them "
        "on event_id and reprocesses a three-day lookback for late events.",
    ),
    (
        "dashboard-patch",
        "numbers-disagree",
        "Once we know which difference explains the gap, the change belongs in the revenue model so the "
        "dashboard, the extracts and the board numbers all move together; I wouldn't edit the figure in "
        "Tableau.",
    ),
    (
        "dashboard-patch",
        "broken-pipeline-incident",
        "I'd annotate the tile as under investigation rather than touching the number, fix the staging model "
        "that parses the payments export, and backfill Saturday and Sunday.",
    ),
    (
        "dashboard-patch",
        "define-active-customers",
        "The exclusions for staff and test accounts go into the customer dimension, so Looker and every other "
        "consumer inherit them without per-dashboard filters.",
    ),
    (
        "untested-model",
        "testing-strategy",
        "Order_id gets unique and not_null tests, customer_id a relationships test and status an "
        "accepted_values test; the payments source has a freshness threshold of 30 hours, and all of it runs "
        "on each PR.",
    ),
    (
        "untested-model",
        "incremental-models",
        "Before the dashboards read from the incremental version, I'd build both versions for a fortnight and "
        "diff them day by day, then keep a uniqueness test on event_id.",
    ),
    (
        "untested-model",
        "join-double-counting",
        "After the fix I'd add a dbt test that the model has exactly one row per order line and that its "
        "revenue agrees with the orders table within 0.1%, and only then release it.",
    ),
    (
        "metric-without-grain",
        "define-active-customers",
        "Active means one or more completed, non-refunded orders in the previous four weeks, measured at "
        "customer level each day, with employees and QA accounts filtered out and dates in UTC.",
    ),
    (
        "metric-without-grain",
        "define-active-customers",
        "Product's app-open count and marketing's monthly order count can both live on under different names; "
        "the company metric I'd define as distinct paying customers over a rolling 28-day window, excluding "
        "internal accounts.",
    ),
    (
        "order-taking",
        "dashboard-request",
        "First a half-hour with the director: what will the regional managers decide in the planning session, "
        "and which of the three existing dashboards do they already open? From that I'd propose a single page.",
    ),
    (
        "order-taking",
        "behavioral-prioritisation",
        "I asked each requester what they would do differently with the answer and ranked the list by that, "
        "which let me decline a third of the requests with a clear reason.",
    ),
    (
        "story-without-outcome",
        "behavioral-data-error",
        "Last spring a product manager spotted that our signup numbers were double what the app store showed. "
        "I traced it to a duplicated tracking call and rewrote the dedup logic that afternoon. The corrected "
        "figure went out the same day, and since then we haven't had a duplicated signup because I added a "
        "uniqueness test on the event id.",
    ),
    (
        "story-without-outcome",
        "behavioral-pushback",
        "The marketing lead wanted a real-time dashboard of ad spend, but spend only lands daily, so I "
        "suggested a morning email digest instead. In the end she agreed the digest was enough, and it cost "
        "nothing extra to run.",
    ),
    (
        "impact-without-numbers",
        "behavioral-prioritisation",
        "Once the self-serve explore was live, the sales team's ad hoc requests dropped from about 25 a week to "
        "8, which freed two days a week for modelling work.",
    ),
    (
        "impact-without-numbers",
        "behavioral-data-error",
        "I fixed the retention logic and the restated report went out within 3 hours; retention moved from "
        "71% to 64% and nobody had acted on the wrong figure.",
    ),
    (
        "fan-out-join",
        "join-double-counting",
        "Summing order_total after joining to order_lines counts each order once per line, which is the "
        "inflation; I'd sum line_amount for category revenue and pre-aggregate promotions per order.",
    ),
    (
        "fan-out-join",
        "dimensional-modelling",
        "I'd join the subscription snapshot to the plan dimension, which has exactly one row per plan "
        "version, and total MRR by plan from the snapshot's month-end rows.",
    ),
    (
        "dashboard-patch",
        "numbers-disagree",
        "I'd change the revenue mart to recognise revenue on shipment and net out refunds; a hard-coded "
        "number in Tableau would only hide the problem from the other reports.",
    ),
    (
        "dashboard-patch",
        "broken-pipeline-incident",
        "No manual edits to the dashboard: the parsing fix goes into the staging model, the job is rerun "
        "for the weekend, and the tile refreshes from the corrected data.",
    ),
    (
        "untested-model",
        "testing-strategy",
        "Nothing reaches finance until dbt build passes in CI: uniqueness on order_id, not-null on "
        "amount, freshness on the three sources, and a check that the monthly total matches the payments "
        "provider.",
    ),
    (
        "untested-model",
        "incremental-models",
        "I'd deploy the incremental version behind a flag, run it alongside the full rebuild for a week "
        "and compare daily counts and revenue before retiring the old job.",
    ),
    (
        "metric-without-grain",
        "define-active-customers",
        "I'd write the definition as: count of distinct customer ids with a completed order whose order "
        "date falls in the 28 days before the reporting date, excluding internal and test accounts.",
    ),
    (
        "order-taking",
        "dashboard-request",
        "I'd ask the director what he needs to decide in the territory planning meeting and build the "
        "smallest thing that answers it.",
    ),
    (
        "order-taking",
        "behavioral-pushback",
        "She asked for twenty breakdowns; I asked what she'd change depending on the answer, and we "
        "agreed three breakdowns covered it.",
    ),
    (
        "story-without-outcome",
        "behavioral-prioritisation",
        "During our Snowflake migration I had requests from finance, sales and ops at once. I sorted them "
        "with my manager by the decision each fed, and the backlog went from 40 tickets to 12 by the end "
        "of the quarter.",
    ),
    (
        "impact-without-numbers",
        "behavioral-pushback",
        "I convinced the head of sales to use a one-page pipeline view instead of forty charts. Regional "
        "managers now open it about 30 times a week, versus twice a week for the old dashboards.",
    ),
    (
        "untested-model",
        "testing-strategy",
        "Even under month-end pressure I wouldn't skip tests: the primary key gets unique and not-null, "
        "the status column accepted values, and each source a freshness SLA. A failing error-level test "
        "blocks the downstream build and pings the owner in Slack.",
    ),
    (
        "order-taking",
        "dashboard-request",
        "I'd book thirty minutes with the director to understand what the territory plan has to decide, "
        "look at which of the three existing dashboards already answer part of it, and sketch one page "
        "for Friday. Charts go on top of our certified pipeline model instead of custom SQL in Tableau, "
        "and three weeks later I'd check view counts and retire what nobody opens.",
    ),
    (
        "order-taking",
        "behavioral-pushback",
        "Last year our CMO asked me for a daily dashboard with every campaign metric. I asked what "
        "decision it would support, and it was really about reallocating budget each month. I proposed a "
        "monthly channel-efficiency view built on our tested attribution model, and showed her that daily "
        "splits would mostly be noise. She agreed, we launched it in a week, and the next quarter she "
        "moved 15% of budget from display to search, which cut cost per acquisition by 9%.",
    ),
    (
        "dashboard-patch",
        "numbers-disagree",
        "I'd thank the CFO, mark the dashboard figure as under review, and compare definitions: order "
        "date versus recognition on shipment, refunds, tax and FX rates. A bridge from our total to "
        "theirs shows how much each explains. The agreed definition goes into the revenue model, not into "
        "Tableau, and I'd add a reconciliation test against the ERP with a 0.5% tolerance.",
    ),
    (
        "metric-without-grain",
        "define-active-customers",
        "I'd count customers who completed at least one paid order in the last 28 days, per day, with "
        "staff and test accounts excluded and order dates in UTC, and publish that single definition in "
        "the semantic layer after both teams sign off.",
    ),
    (
        "fan-out-join",
        "incremental-models",
        "I'd make it incremental: each run selects rows whose loaded_at is later than the max already in "
        "the table, minus a three-day lookback for late mobile events, and merges on event_id so a "
        "duplicated batch doesn't double count. The table is partitioned by event date. Before deploying, "
        "I'd compare a week of incremental output with a full refresh and keep unique and freshness tests "
        "on it; logic changes trigger a planned full refresh.",
    ),
]


def _case_id(case):
    mistake, question, answer = case
    return f"{mistake}@{question}:{answer[:24]}"


@pytest.mark.parametrize("case", MAKES_THE_MISTAKE, ids=_case_id)
def test_the_grader_finds_each_own_mistake_in_new_words(pack, case):
    mistake, question, answer = case
    grade = _grade(pack, question, answer)
    found = {m.id: m.evidence for m in grade.mistakes}
    assert mistake in found, (grade.mistakes, grade.flags)
    assert found[mistake] in answer  # evidence is quoted verbatim
    assert grade.score <= 3.5  # a mistake caps the score


@pytest.mark.parametrize("case", AVOIDS_THE_MISTAKE, ids=_case_id)
def test_the_grader_does_not_find_the_mistake_in_careful_answers(pack, case):
    mistake, question, answer = case
    grade = _grade(pack, question, answer)
    assert mistake not in {m.id for m in grade.mistakes}, grade.mistakes
    if pack.question(question).kind != "behavioral":
        # Nor any other mistake (a one-line story fragment does lack a result or figures).
        assert not grade.mistakes, grade.mistakes


def test_every_own_mistake_is_covered_both_ways():
    assert {m for m, _, _ in MAKES_THE_MISTAKE} == set(OWN_MISTAKES)
    assert {m for m, _, _ in AVOIDS_THE_MISTAKE} == set(OWN_MISTAKES)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _shingles(text: str, n: int) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_test_answers_are_not_the_packs_examples(pack):
    """The answers above are new words: none shares a run of 7 words with an example."""
    examples = set()
    for m in pack.mistakes:
        for ex in [*m.positive_examples, *m.negative_examples]:
            examples |= _shingles(ex.answer, 7)
    answers = [a for _, _, a in MAKES_THE_MISTAKE + AVOIDS_THE_MISTAKE]
    answers += [a for _, a in STRONG.values()] + [a for a, _ in WEAK.values()]
    copied = [a[:60] for a in answers if _shingles(a, 7) & examples]
    assert not copied, copied


# ------------------------------------------------------------------------------------------
# Scores: strong answers high, weak ones low

STRONG = {
    "join-double-counting": (
        4.0,
        "My bet is fan-out. Orders is one row per order, but after the join to order lines each order shows up "
        "once per product, and an order with two promo codes doubles again, so summing order_total counts the "
        "same money several times. To prove it I'd check how many rows and how many distinct order ids there "
        "are before and after every join. For revenue by category I'd sum line_amount, which lives at the line "
        "grain, and aggregate promotions to one row per order before joining them. Then I'd apply finance's "
        "rules, no cancelled orders and no tax or shipping, and check the difference disappears. Going forward "
        "the model gets its grain written into its docs, a unique test on order_line_id and a test comparing "
        "its total with the source, run in CI.",
    ),
    "define-active-customers": (
        4.0,
        "I'd start by asking each team why their number differs and what they use it for, since product "
        "tracks engagement and marketing plans campaigns. For the company metric I'd pin every part down: an "
        "active customer placed one or more delivered and paid orders during the trailing 28 days, counted as distinct "
        "customers per day, with staff and test accounts and cancelled orders excluded, and days cut in UTC. "
        "That goes into the data dictionary with an owner and gets signed off by both heads. Then it is "
        "implemented once in the semantic layer so every dashboard reads the same definition, and product's "
        "app-open number is renamed so nobody mixes them up.",
    ),
    "testing-strategy": (
        4.0,
        "On structure, order_id is unique and not null, customer_id has a relationships test to the customer "
        "dimension and status has accepted values. On inputs, each of the three sources has a freshness "
        "threshold, the payments export a looser one, plus a row count check that warns when a day's volume "
        "falls far below normal. On business logic, amounts are never negative outside refunds and the monthly "
        "total reconciles with the payments provider within a tolerance. Everything runs in CI on each pull "
        "request against a dev build, with a reviewer, before merging. A failing warning goes to the owner in "
        "the team channel; a failing error stops the downstream models so finance keeps yesterday's good "
        "numbers, and the owner follows a runbook.",
    ),
    "behavioral-data-error": (
        4.0,
        "When I was at a payments startup I owned the monthly active merchants figure in the board deck. A "
        "week after the deck went out, our CFO asked why it was 12% above the billing count. I checked and "
        "it was my mistake: I had counted merchants with refunds only as active. I told my manager and the CFO "
        "the same afternoon, with the corrected number. I traced the cause to a filter in the merchant model, "
        "fixed it in the model so every report changed, and re-sent the deck with the change marked. Then I "
        "added a test that compares the count with billing and fails the run when they differ by more than "
        "1%, and asked a colleague to review new metric logic. Since then the test has caught two problems "
        "before they were published.",
    ),
}

# Weak answers, with the mistakes the grader should name in them.
WEAK = {
    "join-double-counting": (
        "Finance probably uses other numbers. I'd ask them for their query and make ours match it.",
        set(),
    ),
    "define-active-customers": (
        "I'd count the customers that are active and show that on a dashboard everyone can see.",
        {"metric-without-grain"},
    ),
    "testing-strategy": (
        "I'd look over the output and make sure it seems about right before finance starts to use it.",
        {"untested-model"},
    ),
    "behavioral-data-error": (
        "Once a number in one of our reports was wrong. We fixed it and moved on to other work.",
        {"story-without-outcome", "impact-without-numbers"},
    ),
}


@pytest.mark.parametrize("question_id", sorted(STRONG))
def test_a_strong_answer_scores_at_least_4(pack, question_id):
    floor, answer = STRONG[question_id]
    grade = _grade(pack, question_id, answer)
    assert grade.score >= floor, (grade.score, [k.id for k in grade.missed], grade.mistakes, grade.flags)
    assert not grade.mistakes


@pytest.mark.parametrize("question_id", sorted(WEAK))
def test_a_weak_answer_scores_at_most_2(pack, question_id):
    answer, mistakes = WEAK[question_id]
    grade = _grade(pack, question_id, answer)
    assert grade.score <= 2.0, (grade.score, grade.flags)
    assert {m.id for m in grade.mistakes} == mistakes


# ------------------------------------------------------------------------------------------
# Interviews on the pack


def test_a_headless_interview_runs_end_to_end_on_the_pack(tmp_path, pack):
    """The installed command, as a user runs it, with throwaway data and config dirs."""
    rounds = ["technical", "behavioral"]
    plan = plan_questions(pack, rounds, 1, 0)
    answers = [STRONG.get(plan[r][0], (0, pack.question(plan[r][0]).reference_answer))[1] for r in rounds]
    answers_file = tmp_path / "answers.txt"
    answers_file.write_text("\n---\n".join(answers) + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "MOCKINTERVIEW_DATA_DIR": str(tmp_path / "data"),
        "MOCKINTERVIEW_CONFIG_DIR": str(tmp_path / "config"),
        "MOCKINTERVIEW_CACHE_DIR": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mockinterview",
            "interview",
            "--pack",
            PACK_ID,
            "--rounds",
            ",".join(rounds),
            "--questions",
            "1",
            "--seed",
            "0",  # the plan above: a default run draws a fresh seed
            "--max-follow-ups",
            "0",
            "--no-tui",
            "--answers",
            str(answers_file),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip().splitlines()[-1])
    assert path.is_file() and path.is_relative_to(tmp_path / "data")
    t = load_transcript(path)
    assert t.meta.pack_id == PACK_ID and t.meta.pack_hash == pack.content_hash
    assert t.meta.status == "completed" and t.meta.rounds == rounds
    asked = [x.question_id for x in t.turns if x.kind == "question"]
    assert asked == [plan[r][0] for r in rounds]
    answered = [x for x in t.turns if x.kind == "answer"]
    assert len(answered) == 2 and all(t.grade_for(a.id) for a in answered)
    for g in t.grades:
        assert g.grade.rubric_id == PACK_ID and g.grade.score >= 4.0, g.grade
    assert json.loads(path.read_text())["grades"]


async def test_the_packs_own_rounds_run_in_the_engine(tmp_path):
    """`metrics` and `data-quality` exist only in this pack; the engine runs them."""
    config = InterviewConfig(
        pack=PACK_ID,
        rounds=["metrics", "data-quality"],
        questions_per_round=1,
        max_follow_ups=0,
        track_time=False,
    )
    session = await InterviewSession.create(config, sessions_dir=tmp_path)
    await session.begin()
    for _ in range(4):
        if session.state != "awaiting-answer":
            break
        question = session.current_question
        await session.submit_answer(question.reference_answer)
    assert session.state == "finished"
    t = load_transcript(session.path)
    assert [g.round for g in t.grades] == ["metrics", "data-quality"]
    assert all(g.grade.rubric_id == PACK_ID and g.grade.score >= 4.5 for g in t.grades)
    await session.close()


def test_the_packs_own_rounds_from_the_command_line(tmp_path, capsys):
    from mockinterview.cli.main import main

    answers_file = tmp_path / "answers.txt"
    answers_file.write_text("/skip\n", encoding="utf-8")
    code = main(
        [
            "interview",
            "--pack",
            PACK_ID,
            "--rounds",
            "metrics",
            "--questions",
            "1",
            "--no-tui",
            "--answers",
            str(answers_file),
        ]
    )
    assert code == 0, capsys.readouterr().err


# ------------------------------------------------------------------------------------------
# Own words


@pytest.mark.skipif(not SEEDS.is_dir(), reason="source documents (shared/seeds) not available")
def test_the_rubric_text_is_written_in_its_own_words(pack):
    """No run of 9 words is shared with the seed documents or with the data-scientist pack."""
    n = 9
    borrowed: set[tuple[str, ...]] = set()
    for path in SEEDS.glob("*.txt"):
        borrowed |= _shingles(path.read_text(encoding="utf-8", errors="replace"), n)
    for path in (rubrics_dir() / "data-scientist").rglob("*.toml"):
        borrowed |= _shingles(path.read_text(encoding="utf-8"), n)
    texts = []
    for q in pack.questions:
        texts += [(q.id, q.text), (q.id, q.context), (q.id, q.reference_answer)]
    for m in pack.mistakes:
        texts += [(m.id, m.definition), (m.id, m.why_it_costs), (m.id, m.how_to_fix)]
    copied = [
        (owner, " ".join(sorted(_shingles(text, n) & borrowed)[0]))
        for owner, text in texts
        if _shingles(text, n) & borrowed
    ]
    assert not copied, copied


def test_without_rounds_an_interview_on_another_pack_runs_that_packs_rounds(tmp_path, monkeypatch, capsys):
    from mockinterview.cli.main import main

    monkeypatch.setenv("MOCKINTERVIEW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MOCKINTERVIEW_CONFIG_DIR", str(tmp_path / "config"))
    answers_file = tmp_path / "answers.txt"
    answers_file.write_text("/end\n", encoding="utf-8")
    code = main(["interview", "--pack", PACK_ID, "--questions", "1", "--no-tui", "--answers", str(answers_file)])
    out, err = capsys.readouterr()
    assert code == 0, err
    # an unknown round names the pack's own
    code = main(["interview", "--pack", PACK_ID, "--rounds", "basic", "--no-tui", "--answers", str(answers_file)])
    err = capsys.readouterr().err
    assert code == 2 and "choose from technical, metrics, data-quality, behavioral" in err
