"""SVG snapshots of the rehearsal screens at 80x24 and 120x40: history with an unfinished
session and a mentor's override. Same stable set-up as test_snapshots.py; update with
``--snapshot-update`` only after looking at the SVG diff."""

from __future__ import annotations

import pytest
from practice_sample import BETTER
from test_snapshots import SIZES, settle, settle_home, stable_app
from tui_sample import sample_transcript

from mockinterview.engine.review import override_grade
from mockinterview.storage.transcripts import save_transcript


def unfinished_and_overridden() -> None:
    done = sample_transcript("20260110-000000-done", scores=(2.0, 2.4, 3.0))
    override_grade(done, 3, 4.5, "the grader missed the early-stopping mention")
    save_transcript(done)
    save_transcript(sample_transcript("20260111-000000-next", offset_days=1, scores=(3.1, 2.5, 3.5)))
    open_one = sample_transcript("20260112-000000-open", offset_days=2)
    open_one.meta.status = "in-progress"
    open_one.turns = open_one.turns[:4]
    open_one.grades = open_one.grades[:1]
    save_transcript(open_one)


@pytest.mark.parametrize("size", SIZES)
def test_history_unfinished_and_overridden(snap_compare, size):
    unfinished_and_overridden()

    async def run_before(pilot):
        await settle_home(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)

    assert snap_compare(stable_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_retry_graded_beside_the_first_attempt(snap_compare, size):
    from mockinterview.tui.screens.feedback import FeedbackScreen
    from mockinterview.tui.screens.retry import RetryScreen

    transcript = sample_transcript()
    save_transcript(transcript)

    async def run_before(pilot):
        await settle_home(pilot)
        pilot.app.push_screen(FeedbackScreen(transcript))
        await settle(pilot, lambda: isinstance(pilot.app.screen, FeedbackScreen))
        await pilot.press("t")
        await settle(pilot, lambda: isinstance(pilot.app.screen, RetryScreen))
        screen = pilot.app.screen
        screen.query_one("#retry-answer").insert(BETTER)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: screen.outcome is not None)

    assert snap_compare(stable_app(), terminal_size=size, run_before=run_before)
