"""Feedback that teaches, in the real app: the session summary leads with three things to
fix (the candidate's words beside the model answer's line); "t" retries a question from
the feedback, grades it with the real offline grader and keeps it beside the first attempt;
the home screen shows the practice plan."""

from __future__ import annotations

import io

from practice_sample import BETTER, weak_session
from rich.console import Console
from test_tui_flows import SIZE, app_for_test, wait_for
from textual.widgets import Select, TextArea

from mockinterview.engine.practice import retries_for
from mockinterview.storage.transcripts import load_transcript
from mockinterview.tui.screens.feedback import FeedbackScreen
from mockinterview.tui.screens.home import HomeScreen
from mockinterview.tui.screens.retry import RetryScreen


def plain(widget) -> str:
    """What a Static shows, as plain text (its content rendered by Rich)."""
    console = Console(width=120, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return " ".join(console.file.getvalue().split())


async def test_the_session_summary_leads_with_three_fixes_and_a_retry_is_kept_beside_the_first():
    path, transcript = await weak_session()
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.loaded)
        app.push_screen(FeedbackScreen(transcript))
        await wait_for(
            pilot, lambda: isinstance(app.screen, FeedbackScreen) and app.screen.query("#feedback-body")
        )
        feedback = app.screen
        assert len(feedback.fixes) == 3
        body = feedback.query_one("#feedback-body")
        assert body.children[0].id == "feedback-fixes-title"  # leads the summary
        fixes = plain(feedback.query_one("#feedback-fixes"))
        assert "You said:" in fixes and "Model answer:" in fixes and "AUC" in fixes

        await pilot.press("t")
        await wait_for(
            pilot, lambda: isinstance(app.screen, RetryScreen) and app.screen.query("#retry-answer")
        )
        retry = app.screen
        assert retry.question_id == feedback.fixes[0].question_id  # the costliest fix first
        assert retry.query_one("#retry-question", Select).value == retry.question_id
        first_score = next(score for qid, _, score in retry.choices if qid == retry.question_id)
        retry.query_one("#retry-answer", TextArea).insert(BETTER)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: retry.outcome is not None, timeout=20)
        assert retry.outcome.attempt.grade.score > first_score
        shown = plain(retry.query_one("#retry-result"))
        assert "This attempt" in shown and "first attempt" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedbackScreen))
        await wait_for(pilot, lambda: bool(app.screen.transcript.retries))

    saved = load_transcript(path)
    (attempt,) = saved.retries
    assert attempt.text == BETTER and attempt.question_id == retry.question_id
    assert retries_for(saved, attempt.first_turn_id) == [attempt]
    assert saved.grades == transcript.grades  # the interview's own grades are untouched
    assert [c.id for c in saved.model_calls if c.purpose == "grade"][-1] in attempt.model_call_ids


async def test_round_feedback_mid_interview_offers_no_retry():
    _, transcript = await weak_session()
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(FeedbackScreen(transcript, "basic"))
        await wait_for(
            pilot, lambda: isinstance(app.screen, FeedbackScreen) and app.screen.query("#feedback-body")
        )
        assert not app.screen.check_action("retry", ())
        assert not app.screen.query("#feedback-fixes")


async def test_home_shows_the_practice_plan():
    path, transcript = await weak_session()
    app = app_for_test()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.loaded)
        home = app.screen
        shown = plain(home.query_one("#home-plan"))
        assert "Due again" in shown and "skipped" in shown and "Mistakes" in shown and "Often missed" in shown
        assert "Practice plan" in plain(home.query_one("#home-plan-title"))


async def test_quitting_the_retry_screen_with_a_typed_answer_asks_first():
    """A new user lost a typed retry answer to a bare 'q' (the app's quit key) after Tab."""
    from mockinterview.tui.screens.dialogs import ConfirmScreen

    _, transcript = await weak_session()
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(RetryScreen(transcript))
        await wait_for(pilot, lambda: isinstance(app.screen, RetryScreen) and app.screen.query("#retry-answer"))
        retry = app.screen
        retry.query_one("#retry-answer", TextArea).insert("ab")
        await pilot.press("tab")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is retry)
        assert retry.query_one("#retry-answer", TextArea).text == "ab"
