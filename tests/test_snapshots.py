"""SVG snapshots of every screen at 80x24 and 120x40 (pytest-textual-snapshot).

Stable by construction: fixed sample data, a fixed session id for the stub interview,
a frozen clock for the question timer, and no cursor blink. Update deliberately with
``pytest tests/test_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import pytest
from tui_sample import sample_transcript

from mockinterview.storage.transcripts import save_transcript
from mockinterview.tui.app import create_app
from mockinterview.tui.screens.feedback import FeedbackScreen
from mockinterview.tui.screens.interview import InterviewScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def stable_app(**kwargs):
    return create_app(blink=False, clock=lambda: 1000.0, keymap={}, **kwargs)


async def settle(pilot, predicate=lambda: True, timeout: float = 10.0):
    for _ in range(int(timeout / 0.02)):
        if predicate():
            break
        await pilot.pause(0.02)
    await pilot.pause(0.1)
    await pilot.wait_for_scheduled_animations()


def saved_history(count: int = 3):
    paths = []
    for i, scores in enumerate([(2.0, 2.4, 3.0), (3.1, 2.5, 3.5), (3.4, 2.1, 4.2)][:count]):
        paths.append(save_transcript(sample_transcript(f"2026011{i}-demo", offset_days=i, scores=scores)))
    return paths


async def settle_home(pilot):
    await settle(pilot, lambda: getattr(pilot.app.screen, "loaded", False))


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare, size):
    saved_history()
    assert snap_compare(stable_app(), terminal_size=size, run_before=settle_home)


@pytest.mark.parametrize("size", SIZES)
def test_interview_awaiting_first_answer(snap_compare, size, monkeypatch):
    import mockinterview.engine.session as session_module

    monkeypatch.setattr(session_module, "new_session_id", lambda: "20260115-093000-snap")
    monkeypatch.setattr(session_module, "new_seed", lambda: 0)  # the fresh draw, pinned for the picture

    async def run_before(pilot):
        await settle_home(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot, lambda: isinstance(pilot.app.screen, InterviewScreen))
        screen = pilot.app.screen
        await settle(pilot, lambda: screen.session is not None and screen.session.state == "awaiting-answer")
        screen.query_one("#answer").insert("Overfitting is when the model memorises noise.")
        await settle(pilot)

    assert snap_compare(stable_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_feedback(snap_compare, size):
    saved_history(2)
    transcript = sample_transcript()

    async def run_before(pilot):
        await settle_home(pilot)
        pilot.app.push_screen(FeedbackScreen(transcript))
        await settle(pilot, lambda: isinstance(pilot.app.screen, FeedbackScreen))

    assert snap_compare(stable_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_history(snap_compare, size):
    saved_history()

    async def run_before(pilot):
        await settle_home(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)

    assert snap_compare(stable_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_review(snap_compare, size, tmp_path):
    from mockinterview.engine.review import add_comment, override_grade

    transcript = sample_transcript()
    add_comment(transcript, 5, "Good instinct, wrong conclusion")
    override_grade(transcript, 5, 1.5, "Missed the red flag")
    path = save_transcript(transcript, tmp_path / "review-sample.json")

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("down", "down", "down", "down")
        await settle(pilot)

    assert snap_compare(stable_app(review_path=path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, size):
    async def run_before(pilot):
        await settle_home(pilot)
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(stable_app(), terminal_size=size, run_before=run_before)
