"""Model faults in the TUI: an unreachable endpoint shows a notification with a retry,
the session stays saved and resumable; a session that cannot start returns home."""

from __future__ import annotations

import socket

from tui_sample import sample_transcript

from mockinterview.storage.transcripts import load_transcript, save_transcript
from mockinterview.tui.app import create_app
from mockinterview.tui.screens.home import HomeScreen
from mockinterview.tui.screens.interview import InterviewScreen


def closed_port() -> int:
    with socket.socket() as s:  # bound then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_for(pilot, predicate, timeout: float = 15.0):
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError("timed out waiting for the app")


def notes(app, title: str) -> list[str]:
    return [n.message for n in app._notifications if n.title == title]


async def test_unreachable_model_is_a_notification_with_retry(isolated_dirs, monkeypatch):
    isolated_dirs["config"].mkdir(parents=True, exist_ok=True)
    (isolated_dirs["config"] / "config.toml").write_text(
        f'[openai]\nbase_url = "http://127.0.0.1:{closed_port()}/v1"\nmax_retries = 0\n'
        '[interview]\nrounds = ["basic"]\nquestions_per_round = 1\n'
    )
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    app = create_app("openai:gpt-4o-mini", blink=False, keymap={})
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, InterviewScreen))
        screen = app.screen
        await wait_for(pilot, lambda: notes(app, "Model error"))
        assert "Press ctrl+r to retry" in notes(app, "Model error")[0]
        assert "sk-test" not in notes(app, "Model error")[0]
        assert screen.session.state == "needs-retry"
        footer_actions = [b.binding.action for b in screen.active_bindings.values()]
        assert "retry" in footer_actions  # offered in the footer while a step waits for it
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: len(notes(app, "Model error")) == 2)
        path = screen.session.path
    saved = load_transcript(path)
    assert saved.meta.status == "in-progress"  # resumable later, nothing lost
    assert any(call.error for call in saved.model_calls)


async def test_a_session_that_cannot_resume_returns_home(tmp_path):
    finished = sample_transcript()  # completed: cannot be resumed
    path = save_transcript(finished, tmp_path / "done.json")
    app = create_app(blink=False, keymap={})
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        app.push_screen(InterviewScreen(resume=path))
        await wait_for(pilot, lambda: notes(app, "Cannot start the interview"))
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert "only an in-progress session can be resumed" in notes(app, "Cannot start the interview")[0]
