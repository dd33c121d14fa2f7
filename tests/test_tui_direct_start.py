"""`mockinterview interview [flags]` without --no-tui opens the TUI straight into the
interview the flags describe, and `--resume` straight into the interrupted session."""

from __future__ import annotations

from test_tui_flows import ANSWER, answer, app_for_test, wait_for

from mockinterview.storage.transcripts import load_transcript
from mockinterview.tui.screens.home import HomeScreen
from mockinterview.tui.screens.interview import InterviewScreen

SIZE = (100, 32)


async def test_flags_open_the_interview_directly():
    config = {"rounds": ["technical"], "questions_per_round": 1, "interviewer_model": "stub"}
    app = app_for_test(start_config=config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, InterviewScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.session is not None and screen.session.state == "awaiting-answer")
        meta = screen.session.transcript.meta
        assert meta.rounds == ["technical"]
        assert len(meta.question_plan["technical"]) == 1
        # Home stays underneath, so leaving the interview lands somewhere useful.
        assert any(isinstance(s, HomeScreen) for s in app.screen_stack)


async def test_resume_path_opens_the_interrupted_session():
    config = {"rounds": ["basic"], "questions_per_round": 2, "interviewer_model": "stub"}
    first = app_for_test(start_config=config)
    async with first.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(first.screen, InterviewScreen))
        screen = first.screen
        await wait_for(pilot, lambda: screen.session is not None and screen.session.state == "awaiting-answer")
        await answer(pilot, screen)
        await wait_for(pilot, lambda: any(t.kind == "answer" for t in screen.session.transcript.turns))
        path = screen.session.path
    answered = [t.text for t in load_transcript(path).turns if t.kind == "answer"]
    assert answered == [ANSWER]

    second = app_for_test(resume_path=path)
    async with second.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(second.screen, InterviewScreen))
        screen = second.screen
        await wait_for(pilot, lambda: screen.session is not None and screen.session.state == "awaiting-answer")
        assert screen.session.path == path
        assert [t.text for t in screen.session.transcript.turns if t.kind == "answer"] == [ANSWER]
