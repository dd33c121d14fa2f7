"""Long transcripts cost linear time: export, replay and the review screen visit each turn and
grade a bounded number of times, whatever the length (a 28 MB transcript took 20 s to export,
222 s to replay and 99 s to open in review when each grade or turn scanned all the others).
No timing here: the visits are counted. ``bench/load_long_transcript.py`` measures the times."""

from __future__ import annotations

import asyncio
import gc

import pytest
from textual.widgets import OptionList
from tui_sample import sample_transcript

from mockinterview.domain.transcript import Transcript
from mockinterview.engine import replay as replay_service
from mockinterview.reports import export
from mockinterview.reports.view import build_view
from mockinterview.storage.transcripts import collection_paused, load_transcript, save_transcript
from mockinterview.tui.app import create_app
from mockinterview.tui.screens.review import BATCH, FIRST_BATCH, ReviewScreen


class CountingList(list):
    """A list that counts how often it is iterated from the start."""

    def __init__(self, items):
        super().__init__(items)
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        return super().__iter__()


def long_transcript(copies: int) -> Transcript:
    t = sample_transcript("long-one")
    last = max(turn.id for turn in t.turns)
    turns, grades = [], []
    for c in range(copies):
        for turn in t.turns:
            reply_to = None if turn.reply_to is None else turn.reply_to + c * last
            turns.append(turn.model_copy(update={"id": turn.id + c * last, "reply_to": reply_to}))
        for g in t.grades:
            grades.append(g.model_copy(update={"turn_id": g.turn_id + c * last}))
    return t.model_copy(update={"turns": turns, "grades": grades})


def counted(t: Transcript) -> Transcript:
    t.turns = CountingList(t.turns)
    t.grades = CountingList(t.grades)
    return t


def test_export_passes_over_turns_and_grades_a_fixed_number_of_times():
    passes = []
    for copies in (5, 40):
        t = counted(long_transcript(copies))
        export(t, "md")
        passes.append((t.turns.passes, t.grades.passes))
    assert passes[0] == passes[1], f"passes grow with the length: {passes}"


def test_replay_passes_over_turns_and_grades_a_fixed_number_of_times(tmp_path, monkeypatch):
    passes = []
    for copies in (5, 40):
        t = counted(long_transcript(copies))
        monkeypatch.setattr(replay_service, "find_session", lambda source: source)
        monkeypatch.setattr(replay_service, "load_transcript", lambda path, t=t: t)
        result = asyncio.run(replay_service.replay_transcript("x", "stub", None))
        assert not result.error and len(result.rows) == len(t.grades)
        passes.append((t.turns.passes, t.grades.passes))
    assert passes[0] == passes[1], f"passes grow with the length: {passes}"


async def test_listing_a_long_review_never_measures_the_listed_turns_again(tmp_path, monkeypatch):
    t = long_transcript(40)
    assert len(t.turns) > FIRST_BATCH + 2 * BATCH
    path = save_transcript(t, tmp_path / "long.json")
    clears = []
    original = OptionList._clear_caches

    def clear(self):
        clears.append(self.option_count)
        original(self)

    monkeypatch.setattr(OptionList, "_clear_caches", clear)
    app = create_app(blink=False, clock=lambda: 1000.0, keymap={}, review_path=path)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(1000):
            await pilot.pause(0.02)
            screen = app.screen
            if isinstance(screen, ReviewScreen) and screen.query_one(OptionList).option_count == len(t.turns):
                break
        else:
            raise AssertionError("the review never listed every turn")
    # A batch that starts with a separator drops every measured line: once per batch, quadratic.
    assert [n for n in clears if n > FIRST_BATCH] == []


def test_loading_and_reporting_leave_the_cycle_collector_as_they_found_it(tmp_path):
    """The collector is off while a transcript, its view and a report are built (their
    objects hold no cycles; each full collection walked all of them) and back on after,
    also when the work fails; left off when it was off."""
    path = save_transcript(long_transcript(3), tmp_path / "t.json")
    assert gc.isenabled()
    t = load_transcript(path)
    build_view(t)
    export(t, "html")
    assert gc.isenabled()
    with pytest.raises(ValueError), collection_paused():
        assert not gc.isenabled()
        raise ValueError("mid-build")
    assert gc.isenabled()
    gc.disable()
    try:
        export(load_transcript(path), "md")
        assert not gc.isenabled()
    finally:
        gc.enable()


async def test_the_batches_after_the_first_screenful_grow_from_it_to_a_full_batch(tmp_path, monkeypatch):
    """Right after the review appears a batch is small (the keys wait for it), then batches
    double up to BATCH: a 100-turn batch of long turns held the keys 0.1-0.25 s."""
    t = long_transcript(40)
    path = save_transcript(t, tmp_path / "long.json")
    sizes: list[int] = []
    list_more = ReviewScreen._list_more

    def recording(self, count=None):
        before = self._listed
        list_more(self, count)
        sizes.append(self._listed - before)

    monkeypatch.setattr(ReviewScreen, "_list_more", recording)
    app = create_app(blink=False, clock=lambda: 1000.0, keymap={}, review_path=path)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(1000):
            await pilot.pause(0.02)
            if sum(sizes) == len(t.turns):
                break
    assert sizes[:5] == [FIRST_BATCH, FIRST_BATCH, 2 * FIRST_BATCH, 4 * FIRST_BATCH, BATCH]
    assert max(sizes) == BATCH and sum(sizes) == len(t.turns)
