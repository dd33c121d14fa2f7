"""The feedback shows one entry per question: its follow-ups and answers inside, one grade
with what the follow-ups changed, each quote labelled with the answer it comes from; a
skipped question is listed and counted (Pilot + SVG snapshots)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rich.console import Console
from textual.widgets import Static
from tui_sample import T0, sample_transcript

from mockinterview.domain.grade import KeyPointCoverage
from mockinterview.domain.transcript import GradeRecord, Turn
from mockinterview.reports import export
from mockinterview.tui.app import create_app
from mockinterview.tui.screens.feedback import FeedbackScreen


def plain(renderable) -> str:
    console = Console(width=120, color_system=None)
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def with_follow_up_and_skip():
    """The sample, plus a follow-up on the overfitting question that earns a point and a
    third basic question, skipped."""
    t = sample_transcript()
    at = lambda minutes: T0 + timedelta(minutes=minutes)  # noqa: E731
    follow = [
        Turn(id=31, speaker="interviewer", kind="follow-up", round="basic", question_id="overfitting",
             started_at=at(3), text="What else would you do if more data is not an option?"),
        Turn(id=32, speaker="candidate", kind="answer", round="basic", question_id="overfitting", reply_to=31,
             started_at=at(3), text="I would stop training early, when validation loss stops improving."),
    ]  # fmt: skip
    at_ = next(i for i, x in enumerate(t.turns) if x.id == 4)
    t.turns[at_:at_] = follow
    skipped = [
        Turn(id=51, speaker="interviewer", kind="question", round="basic", question_id="class-imbalance",
             started_at=at(7), text="How do you handle a class imbalance of 1 to 100?"),
        Turn(id=52, speaker="candidate", kind="skip", round="basic", question_id="class-imbalance", reply_to=51,
             started_at=at(7), text="(skipped)"),
    ]  # fmt: skip
    at_ = next(i for i, x in enumerate(t.turns) if x.id == 6)
    t.turns[at_:at_] = skipped
    regrade = t.grades[0].grade.model_copy(deep=True)
    regrade.key_points[2] = KeyPointCoverage(
        id="early-stopping",
        text="Mentions early stopping or more data",
        covered=True,
        evidence="stop training early",
    )
    regrade.score = 4.2
    t.grades.insert(1, GradeRecord(turn_id=32, question_id="overfitting", round="basic", grade=regrade))
    t.meta.questions_per_round = 3
    return t


async def test_one_entry_per_question_with_its_follow_up_and_the_skip_counted():
    t = with_follow_up_and_skip()
    app = create_app(blink=False, clock=lambda: 1000.0, keymap={})
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            if getattr(app.screen, "loaded", False):
                break
            await pilot.pause(0.02)
        app.push_screen(FeedbackScreen(t))
        for _ in range(200):
            if isinstance(app.screen, FeedbackScreen):
                break
            await pilot.pause(0.02)
        await pilot.pause(0.2)  # let it finish mounting (the header's title)
        texts = [
            plain(w.content) for w in app.screen.query(Static).results() if "answer-feedback" in w.classes
        ]
    joined = "\n".join(texts)
    assert [x.split()[0] for x in texts] == ["Q1", "Q2", "Q3", "Q1"]  # one per question, numbered as asked
    assert "Q4" not in joined and "Q5" not in joined
    assert "skipped: counts 1.0 in the round score" in texts[2]
    overfitting = texts[0]
    assert "4.2 / 5  3.4 after the first answer, 4.2 after the follow-up" in overfitting
    assert "Follow-up 1: What else would you do if more data is not an option?" in overfitting
    assert "The follow-up answers added: Mentions early stopping or more data" in overfitting
    assert '"stop training early" (your answer to follow-up 1)' in overfitting
    assert '"memorises noise" (your first answer)' in overfitting
    # The round score counts the skip: (4.2 + 2.1 + 1.0) / 3.
    from mockinterview.reports.view import build_view

    assert build_view(t).rounds[0].score == round((4.2 + 2.1 + 1.0) / 3, 1)
    report = export(t, "md")
    assert "Fundamentals (2.4 / 5)" in report and "it counts 1.0 in the round score" in report


@pytest.mark.parametrize("size", SIZES)
def test_feedback_by_question(snap_compare, size):
    t = with_follow_up_and_skip()

    async def run_before(pilot):
        for _ in range(200):
            if getattr(pilot.app.screen, "loaded", False):
                break
            await pilot.pause(0.02)
        pilot.app.push_screen(FeedbackScreen(t, "basic"))  # the round's feedback: its questions lead
        for _ in range(200):
            if isinstance(pilot.app.screen, FeedbackScreen):
                break
            await pilot.pause(0.02)
        await pilot.pause(0.1)

    app = create_app(blink=False, clock=lambda: 1000.0, keymap={})
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_long_feedback_ends_at_a_phrase_never_mid_phrase():
    from mockinterview.grading.checklist import FEEDBACK_MAX_CHARS, fit_feedback

    text = (
        "You covered 2 of 5 key points. Add: a lower-variance estimate than one split; every example is used "
        "for evaluation, which matters when data is scarce; time-ordered or grouped folds when data has time "
        "or group structure; fit preprocessing inside each fold and keep a final test set that no decision "
        "has touched. Watch out: suspiciously good results taken at face value."
    )
    assert len(text) > FEEDBACK_MAX_CHARS
    fitted = fit_feedback(text)
    assert len(fitted) <= FEEDBACK_MAX_CHARS and text.startswith(fitted[:-1])
    assert fitted.endswith("group structure.")  # the last whole phrase, closed
    assert fit_feedback("Short and sweet.") == "Short and sweet."
    assert fit_feedback("word " * 100).endswith("word…")


def test_a_follow_up_left_unanswered_shows_inside_its_question():
    from mockinterview.reports.view import build_view
    from mockinterview.tui.widgets import answer_feedback

    t = sample_transcript()
    at = next(i for i, x in enumerate(t.turns) if x.id == 8)  # before the closing
    t.turns.insert(
        at,
        Turn(id=71, speaker="interviewer", kind="follow-up", round="behavioral", question_id="conflict",
             text="What would you do differently?"),
    )  # fmt: skip
    t.turns.insert(
        at + 1,
        Turn(
            id=72,
            speaker="system",
            kind="note",
            round="behavioral",
            text="The candidate ended this round early.",
        ),
    )
    story = build_view(t).rounds[1].answers[0]
    text = plain(answer_feedback(story, number=1))
    assert "Follow-up 1 (not answered): What would you do differently?" in text
    assert "Tell me about a conflict with a stakeholder." in text
