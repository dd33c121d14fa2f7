"""The mechanisms that keep the TUI fast (bench/tui_*.py measures them) must not change what
is shown: a streamed reply ends as the same message, a long review lists every turn, the
home screen paints without the domain models, the footer still lists the screen's keys."""

from __future__ import annotations

import subprocess
import sys

from rich.console import Console
from textual.widgets import OptionList
from tui_sample import sample_transcript

from mockinterview.domain.transcript import Turn
from mockinterview.engine import events as ev
from mockinterview.reports.view import build_view
from mockinterview.storage.transcripts import save_transcript
from mockinterview.tui.app import create_app
from mockinterview.tui.screens.interview import MESSAGE_FOR_EVENT, InterviewScreen, engine_message
from mockinterview.tui.screens.review import BATCH, FIRST_BATCH, ReviewScreen
from mockinterview.tui.widgets import ChatMessage, StreamingReply, settled_length

REPLY = """Thanks. Let me push on **validation**.

1. Which features exist at prediction time?
2. Would a time-based split tell a different story?

```python
train = df[df.date < "2025-01-01"]

test = df[df.date >= "2025-01-01"]
```

How would you monitor it after launch?"""


def app_for_test(**kwargs):
    return create_app(blink=False, clock=lambda: 1000.0, keymap={}, **kwargs)


async def wait_for(pilot, predicate, timeout: float = 10.0):
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError("timed out waiting for the app")


def test_settled_text_ends_at_a_blank_line_outside_code():
    assert settled_length("one\n\ntwo") == len("one\n\n")
    assert settled_length("one\n\ntwo\n\nthr") == len("one\n\ntwo\n\n")
    # the blank line inside the fence does not end a block; the fence is still open
    assert settled_length(REPLY[: REPLY.index("test = ")]) == REPLY.index("```python")
    assert settled_length(REPLY) == REPLY.index("How would")
    assert settled_length("no blank line yet\n") == 0


async def test_a_streamed_reply_is_drawn_as_the_whole_text_then_becomes_one_message():
    app = app_for_test()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        await pilot.press("ctrl+n")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, InterviewScreen)
                and app.screen.session is not None
                and app.screen.session.state == "awaiting-answer"
            ),
        )
        screen = app.screen
        pieces = [REPLY[i : i + 3] for i in range(0, len(REPLY), 3)]
        for piece in pieces:
            screen.post_message(engine_message(ev.InterviewerChunk(piece)))
        await wait_for(pilot, lambda: bool(screen.query(StreamingReply)))
        live = screen.query_one(StreamingReply)
        await wait_for(pilot, lambda: live.text == REPLY)
        await pilot.pause(2 * StreamingReply.REDRAW_S)
        await pilot.pause()
        shown = "\n".join(strip.text for strip in live.render_lines(live.region.reset_offset))
        for words in ("Let me push on validation", "time-based split", 'train = df[df.date < "2025-01-01"]'):
            assert words in shown
        assert shown.index("time-based split") < shown.index("train = df") < shown.index("monitor it")

        screen.post_message(
            engine_message(ev.TurnAdded(Turn(id=900, speaker="interviewer", kind="follow-up", text=REPLY)))
        )
        await wait_for(pilot, lambda: any(m.turn.id == 900 for m in screen.query(ChatMessage)))
        assert not screen.query(StreamingReply)  # the live view is gone, the message stays


def test_the_live_view_draws_code_without_compiling_a_lexer():
    from mockinterview.tui.widgets import _StreamingMarkdown

    console = Console(width=80, file=open("/dev/null", "w"))  # noqa: SIM115
    import pygments.lexers

    calls = []
    original = pygments.lexers.get_lexer_by_name
    pygments.lexers.get_lexer_by_name = lambda name, **kw: calls.append(name) or original(name, **kw)
    try:
        lines = console.render_lines(_StreamingMarkdown(REPLY), console.options)
    finally:
        pygments.lexers.get_lexer_by_name = original
    assert any("train = df" in "".join(s.text for s in line) for line in lines)
    assert "python" not in calls


async def test_a_long_review_lists_every_turn_after_the_first_screenful(tmp_path, monkeypatch):
    transcript = sample_transcript("long-review")
    base = list(transcript.turns)
    turns = []
    for _ in range(30):  # several batches' worth
        for turn in base:
            turns.append(turn.model_copy(update={"id": len(turns) + 1, "reply_to": None}))
    transcript = transcript.model_copy(update={"turns": turns, "grades": []})
    path = save_transcript(transcript, tmp_path / "long.json")
    assert len(turns) > FIRST_BATCH + 2 * BATCH

    listed: list[int] = []  # how many turns the list holds after each batch
    list_more = ReviewScreen._list_more

    def recording(self, count=BATCH):
        list_more(self, count)
        listed.append(self.query_one(OptionList).option_count)

    monkeypatch.setattr(ReviewScreen, "_list_more", recording)
    app = app_for_test(review_path=path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.is_mounted)
        options = app.screen.query_one(OptionList)
        await wait_for(pilot, lambda: options.option_count == len(turns))
        assert listed[0] == FIRST_BATCH  # before the first paint: one screenful
        steps = [b - a for a, b in zip(listed, listed[1:], strict=False)]
        assert all(0 < step <= BATCH for step in steps)  # then a batch at a time
        assert listed[-1] == len(turns)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        view = build_view(transcript)  # the order the screen always used: round by round
        assert ids == [str(tv.turn.id) for r in view.rounds for tv in r.turns]
        assert sorted(ids, key=int) == [str(t.id) for t in turns]


def test_the_home_screen_module_does_not_import_pydantic():
    code = (
        "import sys\n"
        "import mockinterview.tui.app, mockinterview.tui.screens.home\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'mockinterview.domain.'))\n"
        "             and m != 'mockinterview.domain.rounds'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


async def test_the_footer_is_redrawn_once_for_a_burst_of_binding_changes():
    from mockinterview.tui.footer import KeysFooter

    app = app_for_test()
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        footer = app.screen.query_one(KeysFooter)
        recomposed = []
        original = KeysFooter.recompose

        async def counting(self):
            recomposed.append(self)
            await original(self)

        KeysFooter.recompose = counting
        try:
            for _ in range(5):
                app.screen.refresh_bindings()
            await pilot.pause(0.1)
            await pilot.pause()
        finally:
            KeysFooter.recompose = original
        assert len(recomposed) == 1
        keys = {key.action for key in footer.query("FooterKey")}
        assert {"start", "history"} <= keys


async def test_the_footer_shows_the_keys_in_the_first_frame_and_redraws_only_what_changed():
    from textual.widgets._footer import FooterKey

    from mockinterview.tui.footer import KeysFooter
    from mockinterview.tui.screens.home import HomeScreen

    app = app_for_test()
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.is_mounted)
        footer = app.screen.query_one(KeysFooter)
        first = list(footer.query(FooterKey))
        assert {"start", "history"} <= {key.action for key in first}  # before the form is filled
        await wait_for(pilot, lambda: app.screen.loaded)
        app.screen.query_one("#history").focus()  # other bindings, the same keys shown
        app.screen.refresh_bindings()
        await pilot.pause(0.1)
        assert list(footer.query(FooterKey)) == first  # not redrawn
        app.set_keymap({"home.history": "f6"})  # a key shown changes: redrawn
        await pilot.pause(0.1)
        await wait_for(pilot, lambda: list(footer.query(FooterKey)) != first)
        history = next(key for key in footer.query(FooterKey) if key.action == "history")
        assert history.key_display == "f6"


def test_every_engine_event_has_its_own_screen_message():
    import typing

    events = set(typing.get_args(ev.EngineEvent))
    assert set(MESSAGE_FOR_EVENT) == events
    assert len(set(MESSAGE_FOR_EVENT.values())) == len(events)  # one message class per event
