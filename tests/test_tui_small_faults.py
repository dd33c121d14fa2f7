"""Small faults of the review screen and the TUI start (issue 10): a failed save never says
"saved", a transcript with duplicate turn ids and a nested keymap.toml are messages, not crashes."""

from __future__ import annotations

import json

from textual.widgets import TextArea
from tui_sample import sample_transcript

from mockinterview.storage.transcripts import save_transcript
from mockinterview.tui import screens
from mockinterview.tui.app import create_app
from mockinterview.tui.screens.dialogs import TextPromptScreen
from mockinterview.tui.screens.home import HomeScreen
from mockinterview.tui.screens.review import ReviewScreen

SIZE = (100, 32)


def app_for_test(**kwargs):
    return create_app(blink=False, clock=lambda: 1000.0, keymap={}, **kwargs)


async def wait_for(pilot, predicate, timeout: float = 15.0):
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError("timed out waiting for the app")


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_a_comment_that_could_not_be_saved_is_never_called_saved(tmp_path, monkeypatch):
    path = save_transcript(sample_transcript(), tmp_path / "s.json")

    def full_disk(transcript, where):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(screens.review, "save_review", full_disk)
    app = app_for_test(review_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        turns = app.screen.query_one("#review-turns")
        await wait_for(pilot, lambda: turns.option_count > 4)
        turns.highlighted = 4
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        app.screen.query_one("#prompt-text", TextArea).insert("Good instinct")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any("Not saved" in m for m in messages(app)))
        await pilot.pause(0.1)
        assert not any("Comment saved" in m for m in messages(app)), messages(app)
        assert any("kept on this screen only" in m for m in messages(app))


async def test_duplicate_turn_ids_are_a_message_not_a_crash(tmp_path):
    data = json.loads(sample_transcript().model_dump_json())
    data["turns"][3]["id"] = data["turns"][2]["id"]
    path = tmp_path / "dup.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    app = app_for_test(review_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: any("duplicate turn id" in m for m in messages(app)))
        assert app.is_running


async def test_a_nested_keymap_toml_is_a_warning_and_the_app_starts(isolated_dirs):
    isolated_dirs["config"].mkdir(parents=True, exist_ok=True)
    (isolated_dirs["config"] / "keymap.toml").write_text('[interview]\nsubmit = "ctrl+s"\n', encoding="utf-8")
    app = create_app(blink=False, clock=lambda: 1000.0)  # the keymap from the settings
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.loaded)
        await wait_for(pilot, lambda: any("keymap" in m for m in messages(app)))
        assert app.is_running
