"""Pilot tests of the Textual app with the real engine and the stub model: a full
interview from home to feedback, resume, review with comment and override, delete
from history with confirmation, help and the command palette."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager

import pytest
from textual.widgets import DataTable, SelectionList, TextArea
from tui_sample import sample_transcript

from mockinterview.storage.transcripts import list_sessions, load_transcript, save_transcript
from mockinterview.tui.app import create_app
from mockinterview.tui.screens.dialogs import ConfirmScreen, OverrideScreen, TextPromptScreen
from mockinterview.tui.screens.feedback import FeedbackScreen
from mockinterview.tui.screens.help import HelpScreen
from mockinterview.tui.screens.history import HistoryScreen
from mockinterview.tui.screens.home import HomeScreen
from mockinterview.tui.screens.interview import InterviewScreen
from mockinterview.tui.screens.review import ReviewScreen
from mockinterview.tui.widgets import ChatMessage

SIZE = (100, 32)
ANSWER = (
    "Overfitting is when a model memorises noise in the training data. I compare training and validation "
    "error, use cross-validation, regularisation, early stopping and more data."
)


def app_for_test(**kwargs):
    return create_app(blink=False, clock=lambda: 1000.0, keymap={}, **kwargs)


async def wait_for(pilot, predicate, timeout: float = 10.0):
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError("timed out waiting for the app")


async def start_interview(pilot, rounds=("basic",), questions="1"):
    app = pilot.app
    assert isinstance(app.screen, HomeScreen)
    home = app.screen
    await wait_for(pilot, lambda: home.loaded)
    app.screen.query_one("#home-questions").value = questions
    selection = app.screen.query_one("#home-rounds", SelectionList)
    for r in ("basic", "technical", "advanced", "behavioral"):
        (selection.select if r in rounds else selection.deselect)(r)
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: isinstance(app.screen, InterviewScreen))
    screen = app.screen
    await wait_for(pilot, lambda: screen.session is not None and screen.session.state == "awaiting-answer")
    return screen


async def answer(pilot, screen, text=ANSWER, key="ctrl+s"):
    editor = screen.query_one("#answer", TextArea)
    editor.insert(text)
    await pilot.press(key)


async def test_full_stub_interview_from_home_to_feedback():
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot)
        assert screen.query_one("#answer", TextArea).has_focus
        assert "retry" not in [b.binding.action for b in screen.active_bindings.values()]
        keys = iter(["ctrl+s", "ctrl+j", "alt+enter", "ctrl+s", "ctrl+s"])  # every submit key works
        while not isinstance(app.screen, FeedbackScreen):
            await wait_for(
                pilot,
                lambda: isinstance(app.screen, FeedbackScreen) or screen.session.state == "awaiting-answer",
            )
            if isinstance(app.screen, FeedbackScreen):
                break
            await answer(pilot, screen, key=next(keys))
        feedback = app.screen
        assert feedback.round_id is None  # the session's feedback, after the last round
        transcript = load_transcript(screen.session.path)
        assert transcript.meta.status == "completed"
        assert transcript.turns[2].kind == "answer" and transcript.turns[2].text == ANSWER
        assert len(screen.query(ChatMessage)) >= 4  # intro, question, answer, ...
        # one entry per question, its follow-up answers inside
        assert len(feedback.view.answers) == len({g.question_id for g in transcript.grades}) >= 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))


async def test_empty_answer_is_refused_and_nothing_is_saved():
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot)
        before = len(screen.session.transcript.turns)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(screen.session.transcript.turns) == before
        await wait_for(pilot, lambda: any("Type an answer first" in n.message for n in app._notifications))


async def test_clarify_skip_and_leave_then_resume_from_home():
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, rounds=("basic", "technical"), questions="2")
        await answer(pilot, screen, "Is the data labelled?", key="ctrl+l")
        await wait_for(
            pilot,
            lambda: (
                screen.session.state == "awaiting-answer"
                and screen.session.transcript.turns[-1].kind == "clarification"
            ),
        )
        await pilot.press("ctrl+n")  # skip
        await wait_for(
            pilot,
            lambda: (
                screen.session.state == "awaiting-answer"
                and any(t.kind == "skip" for t in screen.session.transcript.turns)
            ),
        )
        await answer(pilot, screen)
        await wait_for(
            pilot,
            lambda: (
                screen.session.state == "awaiting-answer"
                and any(t.kind == "answer" for t in screen.session.transcript.turns)
            ),
        )
        path = screen.session.path
        answered = [t.text for t in screen.session.transcript.turns if t.kind == "answer"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        home = app.screen
        await wait_for(pilot, lambda: home.resumable == path)
        assert not home.query_one("#resume").disabled

        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, InterviewScreen))
        resumed = app.screen
        await wait_for(
            pilot, lambda: resumed.session is not None and resumed.session.state == "awaiting-answer"
        )
        shown = [m.turn.text for m in resumed.query(ChatMessage) if m.turn.kind == "answer"]
        assert shown == answered  # the earlier answers are on screen again
        assert [t.text for t in load_transcript(path).turns if t.kind == "answer"] == answered


@asynccontextmanager
async def reviewing_the_leakage_answer(tmp_path):
    """A mentor's review of the sample transcript, the graded leakage answer (turn 5)
    highlighted: yields (app, pilot, turns, original transcript, its path)."""
    original = sample_transcript()
    path = save_transcript(original, tmp_path / "s.json")
    app = app_for_test(review_path=path, author="ada")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        turns = app.screen.query_one("#review-turns")
        await wait_for(pilot, lambda: turns.option_count == len(original.turns))
        turns.highlighted = 4  # turn 5: the graded leakage answer
        yield app, pilot, turns, original, path


async def test_review_comment_and_override_are_saved_as_a_layer(tmp_path):
    async with reviewing_the_leakage_answer(tmp_path) as (app, pilot, turns, original, path):
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        app.screen.query_one("#prompt-text", TextArea).insert("Good instinct, wrong conclusion")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))

        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, OverrideScreen))
        await pilot.press("9", "ctrl+s")  # out of range: refused with a message
        assert isinstance(app.screen, OverrideScreen)
        assert "from 1 to 5" in str(app.screen.query_one("#override-error").render())
        app.screen.query_one("#override-score").value = "1.5"
        app.screen.query_one("#override-reason").value = "Missed the red flag"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))

        turns.highlighted = 0  # the round intro has no grade: override is refused
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("e")  # export writes both reports
        await pilot.pause()

    saved = load_transcript(path)
    assert [(c.turn_id, c.author, c.text) for c in saved.review.comments] == [
        (5, "ada", "Good instinct, wrong conclusion")
    ]
    assert [(o.turn_id, o.score, o.reason) for o in saved.review.overrides] == [
        (5, 1.5, "Missed the red flag")
    ]
    # what the candidate said and what the grader recorded are untouched
    assert saved.turns == original.turns and saved.grades == original.grades
    reports = sorted(p.name for p in (tmp_path / "data" / "reports").iterdir())
    assert reports == [f"{original.meta.id}.html", f"{original.meta.id}.md"]


async def test_history_lists_sessions_and_deletes_only_after_confirmation():
    for i, scores in enumerate([(2.0, 2.0, 3.0), (3.0, 2.5, 3.5), (4.0, 3.5, 4.5)]):
        save_transcript(sample_transcript(f"2026011{i}-demo", offset_days=i, scores=scores))
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        table = app.screen.query_one(DataTable)
        assert table.row_count == 3
        assert "20260112-demo" in str(table.get_row_at(0))  # newest first
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")  # cancel keeps it
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        assert len(list_sessions()) == 3
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen) and table.row_count == 2)
        assert [s.id for s in list_sessions()] == ["20260110-demo", "20260111-demo"]
        await pilot.press("enter")  # open the selected session's feedback
        await wait_for(pilot, lambda: isinstance(app.screen, FeedbackScreen))
        assert app.screen.transcript.meta.id == "20260111-demo"


async def test_help_and_palette_list_the_screens_actions():
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        ids = [binding_id for _key, _action, binding_id in app.screen.key_rows()]
        assert "home.start" in ids and "app.quit" in ids and "app.help" in ids
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for action in ("Start", "Resume", "History", "Review file", "Quit", "Help"):
            assert action in titles


def test_home_round_order_matches_the_domain():
    from mockinterview.domain.pack import ROUND_ORDER
    from mockinterview.tui.screens import home

    assert home.ROUND_ORDER == ROUND_ORDER


async def test_home_fills_the_form_from_the_config_file(isolated_dirs):
    isolated_dirs["config"].mkdir(parents=True, exist_ok=True)
    (isolated_dirs["config"] / "config.toml").write_text(
        '[interview]\nrounds = ["technical"]\nquestions_per_round = 2\ntime_limit_s = 90\n'
    )
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        home = app.screen
        await pilot.press("ctrl+n")  # pressed before the defaults are read: runs once they are
        await wait_for(pilot, lambda: isinstance(app.screen, InterviewScreen))
        assert home.query_one("#home-questions").value == "2"
        assert home.query_one("#home-time").value == "90"
        assert list(home.query_one("#home-rounds", SelectionList).selected) == ["technical"]
        screen = app.screen
        await wait_for(pilot, lambda: screen.session is not None)
        assert screen.session.transcript.meta.rounds == ["technical"]


async def test_broken_config_is_a_warning_not_a_crash(isolated_dirs):
    isolated_dirs["config"].mkdir(parents=True, exist_ok=True)
    (isolated_dirs["config"] / "config.toml").write_text("[interview\n")
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.loaded)
        await wait_for(pilot, lambda: any("not valid TOML" in n.message for n in app._notifications))
        assert app.screen.query_one("#home-model").value == "stub"  # defaults stand in


async def test_keymap_remaps_a_binding_by_id():
    app = create_app(blink=False, keymap={"home.history": "f6"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))


async def test_q_quits():
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.parametrize("bad", ["not json", '{"schema_version": 1}'])
def test_review_command_rejects_bad_files_before_the_tui(tmp_path, capsys, bad):
    from mockinterview.cli.main import main

    path = tmp_path / "bad.json"
    path.write_text(bad)
    assert main(["review", str(path)]) == 2
    assert capsys.readouterr().err.startswith("mockinterview: error:")


async def test_round_feedback_between_rounds_then_the_interview_continues():
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, rounds=("basic", "behavioral"), questions="1")
        seen_round_feedback = None
        while True:
            await wait_for(
                pilot,
                lambda: (
                    isinstance(app.screen, FeedbackScreen)
                    or (app.screen is screen and screen.session.state == "awaiting-answer")
                ),
            )
            if isinstance(app.screen, FeedbackScreen):
                if app.screen.round_id is None:
                    break
                seen_round_feedback = app.screen.round_id
                assert [r.id for r in app.screen._rounds()] == ["basic"]
                await pilot.press("escape")
                continue
            await answer(pilot, screen)
        assert seen_round_feedback == "basic"
        assert {r.id for r in app.screen.view.rounds} == {"basic", "behavioral"}


def test_every_screen_stylesheet_is_in_the_package():
    from pathlib import Path

    from mockinterview.tui import app as app_module
    from mockinterview.tui.screens import dialogs, feedback, help, history, home, interview, review

    for module in (dialogs, feedback, help, history, home, interview, review):
        for obj in vars(module).values():
            css = getattr(obj, "CSS_PATH", None)
            if isinstance(obj, type) and obj.__module__ == module.__name__ and css:
                assert (Path(module.__file__).parent / css).is_file(), (module.__name__, css)
    app_css = app_module.MockInterviewApp.CSS_PATH
    for css in [app_css] if isinstance(app_css, str) else app_css:
        assert (Path(app_module.__file__).parent / css).is_file(), css


async def test_markup_like_names_and_ids_are_shown_literally(tmp_path, isolated_dirs):
    sessions = isolated_dirs["data"] / "sessions"
    # A hand-made file whose id is markup: refused at load (ids are checked), listed by its name.
    evil = sample_transcript().model_dump(mode="json")
    evil["meta"]["id"] = "[bold red]evil[b"
    sessions.mkdir(parents=True, exist_ok=True)
    (sessions / "[bold red]evil[b.json").write_text(json.dumps(evil))
    (sessions / "broken [x].json").write_text("{oops")
    odd = save_transcript(sample_transcript("odd"), tmp_path / "we[ird] [/b].json")
    app = app_for_test()
    async with app.run_test(size=(180, 32)) as pilot:  # wide: the session column shows
        await wait_for(pilot, lambda: app.screen.loaded)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        await pilot.pause()
        shown = app.export_screenshot()
        assert "red]evil[b" in shown and "broken&#160;[x]" in shown  # drawn as text, not styled
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        app.push_screen(ReviewScreen(odd))
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.pause()
        app.screen.query_one("#review-turns").highlighted = 2
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, OverrideScreen))


async def test_the_keymap_setting_in_config_toml_remaps_a_binding(isolated_dirs):
    (isolated_dirs["config"]).mkdir(parents=True, exist_ok=True)
    (isolated_dirs["config"] / "config.toml").write_text('[keymap]\n"home.history" = "f6"\n', encoding="utf-8")
    app = create_app(blink=False)  # no keymap given: the settings' one, read after the first paint
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app._keymap.get("home.history") == "f6")  # the settings are read
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))


async def test_a_keymap_read_after_the_last_screen_closed_is_dropped():
    """The keymap is read in a worker; when the app has already closed its screens (quit
    right after start), applying it must not raise ScreenStackError."""
    from types import SimpleNamespace

    from textual.worker import WorkerState

    app = create_app(blink=False, keymap={})
    async with app.run_test():
        stack = list(app._screen_stack)
        app._screen_stack.clear()  # as while the app is closing
        worker = SimpleNamespace(name="keymap", result={"home.history": "f6"}, error=None)
        try:
            app.on_worker_state_changed(SimpleNamespace(worker=worker, state=WorkerState.SUCCESS))
        finally:
            app._screen_stack.extend(stack)


async def test_a_confirm_dialog_shows_its_keys():
    """A new user pressed Enter on 'Quit mockinterview?' and nothing happened (Cancel has the
    focus by design); the buttons now say which key does what."""
    from textual.widgets import Button

    app = create_app(blink=False, keymap={})
    async with app.run_test() as pilot:
        app.push_screen(ConfirmScreen("Quit mockinterview?", yes="Quit"))
        await pilot.pause()
        labels = [str(b.label) for b in app.screen.query(Button)]
        assert labels == ["Quit (y)", "Cancel (n)"]
        await pilot.press("y")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)


async def test_overriding_an_answer_a_follow_up_superseded_says_it_moves_no_score(tmp_path):
    """A new user overrode a first answer and the overall score did not move: the question is
    scored on its last answer. The dialog now says so before the mentor types."""
    import dataclasses

    async with reviewing_the_leakage_answer(tmp_path) as (app, pilot, turns, _, _):
        screen = app.screen
        await pilot.pause()
        view = screen._current()
        assert view.answer is not None and view.answer.final
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, OverrideScreen))
        assert not app.screen.query("#override-note")  # a final answer: nothing to warn about
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        # the same answer as if a follow-up had come after it
        screen._views[int(turns.highlighted_option.id)] = dataclasses.replace(
            view, answer=dataclasses.replace(view.answer, final=False)
        )
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, OverrideScreen))
        assert "changes no score" in str(app.screen.query_one("#override-note").render())
