"""Pilot tests of the rehearsal changes: the home screen's seed, the question clock that
stops while feedback is read (the real app, the real engine, the stub model)."""

from __future__ import annotations

from textual.widgets import SelectionList, Static, TextArea

from mockinterview.engine.session import plan_questions
from mockinterview.packs.loader import load_pack
from mockinterview.tui.app import create_app
from mockinterview.tui.screens.feedback import FeedbackScreen
from mockinterview.tui.screens.home import HomeScreen
from mockinterview.tui.screens.interview import InterviewScreen
from mockinterview.tui.widgets import QuestionTimer

SIZE = (100, 32)
ANSWER = "Overfitting is when a model memorises noise; I compare training and validation error."


async def wait_for(pilot, predicate, timeout: float = 10.0):
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError("timed out waiting for the app")


async def start(pilot, rounds, **fields):
    app = pilot.app
    home = app.screen
    assert isinstance(home, HomeScreen)
    await wait_for(pilot, lambda: home.loaded)
    for widget_id, value in fields.items():
        home.query_one(f"#home-{widget_id}").value = value
    selection = home.query_one("#home-rounds", SelectionList)
    for r in ("basic", "technical", "advanced", "behavioral"):
        (selection.select if r in rounds else selection.deselect)(r)
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: isinstance(app.screen, InterviewScreen))
    screen = app.screen
    await wait_for(pilot, lambda: screen.session is not None and screen.session.state == "awaiting-answer")
    return screen


async def test_the_home_screens_seed_pins_the_questions():
    app = create_app(blink=False, keymap={})
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, ["basic", "technical"], questions="2", seed="7")
        meta = screen.session.transcript.meta
        assert meta.seed == 7 and not meta.plan_from_history
        assert meta.question_plan == plan_questions(load_pack(), ["basic", "technical"], 2, 7)
        # The feedback names the seed, so the same interview can be asked for again.
        app.push_screen(FeedbackScreen(screen.session.transcript.model_copy(deep=True)))
        await wait_for(pilot, lambda: isinstance(app.screen, FeedbackScreen))
        await pilot.pause(0.2)
        scores = app.screen.query_one("#feedback-scores", Static).content
        assert "seed 7" in scores.renderables[0].plain  # the "Overall" line


async def test_a_blank_seed_draws_afresh_and_records_it():
    app = create_app(blink=False, keymap={})
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, ["basic"], questions="1")
        assert screen.session.transcript.meta.seed is not None


async def test_the_question_clock_stops_while_feedback_is_read():
    now = [1000.0]
    app = create_app(blink=False, keymap={}, clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, ["basic", "technical"], questions="1", time="120")
        timer = screen.query_one(QuestionTimer)
        assert "02:00 left" in str(timer.render())
        now[0] += 20
        screen.query_one("#answer", TextArea).insert(ANSWER)
        await pilot.press("ctrl+s")
        # A follow-up may come first; answer until the round's feedback opens.
        while not isinstance(app.screen, FeedbackScreen):
            await wait_for(
                pilot,
                lambda: isinstance(app.screen, FeedbackScreen) or screen.session.state == "awaiting-answer",
            )
            if not isinstance(app.screen, FeedbackScreen):
                screen.query_one("#answer", TextArea).insert(ANSWER)
                await pilot.press("ctrl+s")
        # The next question is asked while the feedback is read: its clock waits.
        await wait_for(pilot, lambda: screen.session.state == "awaiting-answer")
        now[0] += 45  # reading the feedback
        timer._tick()
        assert timer.paused
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert not timer.paused
        assert "02:00 left" in str(timer.render())  # the full time, not 45 s less
        now[0] += 10
        timer._tick()
        assert "01:50 left" in str(timer.render())


async def test_a_clarification_does_not_restart_the_question_clock():
    now = [1000.0]
    app = create_app(blink=False, keymap={}, clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, ["basic"], questions="1", time="120")
        timer = screen.query_one(QuestionTimer)
        now[0] += 30
        screen.query_one("#answer", TextArea).insert("How much data is there?")
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: screen.session.transcript.turns[-1].kind == "clarification")
        await wait_for(pilot, lambda: screen.session.state == "awaiting-answer")
        await pilot.pause(0.1)
        timer._tick()
        assert "01:30 left" in str(timer.render())  # 30 s gone, not a fresh 2 minutes
