"""Nothing lost, nothing hidden: the answer being typed is saved with the transcript and is
back in the editor after Leave -> Resume; ctrl+q mid-interview asks first (as Leave does);
an unfinished session can be resumed or discarded from history."""

from __future__ import annotations

from test_tui_flows import SIZE, app_for_test, start_interview, wait_for
from textual.widgets import DataTable, TextArea
from tui_sample import sample_transcript

from mockinterview.engine.review import override_grade
from mockinterview.storage.transcripts import find_session, load_transcript, save_transcript
from mockinterview.tui.screens.dialogs import ConfirmScreen
from mockinterview.tui.screens.history import HistoryScreen
from mockinterview.tui.screens.home import HomeScreen
from mockinterview.tui.screens.interview import InterviewScreen

DRAFT = "First I would ask what the base rate is, then compare training and"


async def test_a_typed_draft_survives_leave_and_resume_and_is_spent_by_the_answer():
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot, questions="2")
        path = screen.session.path
        screen.query_one("#answer", TextArea).insert(DRAFT)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "answer so far is kept" in app.screen.question
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        saved = load_transcript(path)
        assert saved.draft is not None and saved.draft.text == DRAFT
        assert saved.draft.reply_to == saved.turns[-1].id  # the question it answers

        home = app.screen
        await wait_for(pilot, lambda: home.resumable == path)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, InterviewScreen))
        resumed = app.screen
        await wait_for(
            pilot, lambda: resumed.session is not None and resumed.session.state == "awaiting-answer"
        )
        editor = resumed.query_one("#answer", TextArea)
        assert editor.text == DRAFT
        editor.insert(" validation error.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(t.kind == "answer" for t in resumed.session.transcript.turns))
        await wait_for(pilot, lambda: resumed.session.state == "awaiting-answer")
        on_disk = load_transcript(path)
        assert [t.text for t in on_disk.turns if t.kind == "answer"] == [DRAFT + " validation error."]
        assert on_disk.draft is None  # answered: the draft is spent


async def test_the_draft_is_saved_while_typing_without_leaving():
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot)
        screen.DRAFT_SAVE_DELAY_S = 0.05
        screen.query_one("#answer", TextArea).insert(DRAFT)
        path = screen.session.path
        await wait_for(pilot, lambda: (load_transcript(path).draft or None) is not None)
        assert load_transcript(path).draft.text == DRAFT  # a crash now would lose nothing


async def test_ctrl_q_mid_interview_asks_and_keeps_the_draft():
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot)
        path = screen.session.path
        screen.query_one("#answer", TextArea).insert(DRAFT)
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Quit mockinterview?" in app.screen.question
        await pilot.press("n")  # changed their mind: the interview goes on
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.query_one("#answer", TextArea).text == DRAFT
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0
    saved = load_transcript(path)
    assert saved.meta.status == "in-progress" and saved.draft.text == DRAFT


def _unfinished_and_overridden():
    done = sample_transcript("20260110-000000-done")
    override_grade(done, 3, 4.5, "the grader missed the early-stopping mention")
    save_transcript(done)
    open_one = sample_transcript("20260111-000000-open", offset_days=1)
    open_one.meta.status = "in-progress"
    open_one.turns = open_one.turns[:4]  # left while the second question was open
    open_one.grades = open_one.grades[:1]
    save_transcript(open_one)
    return done, open_one


async def test_history_resumes_or_discards_an_unfinished_session_and_marks_overrides():
    done, open_one = _unfinished_and_overridden()
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        history = app.screen
        table = history.query_one(DataTable)
        newest, oldest = str(table.get_row_at(0)), str(table.get_row_at(1))
        assert "unfinished" in newest and open_one.meta.id in newest
        assert "*" in oldest  # the overridden round and overall carry the marker
        notes = str(history.query_one("#history-notes").render())
        assert "mentor's override" in notes and "1 unfinished" in notes
        actions = [
            b.binding.action
            for b in history.active_bindings.values()
            if history.check_action(b.binding.action, ())
        ]
        assert "resume" in actions and "discard" in actions

        await pilot.press("down")  # a completed session: nothing to resume or discard
        await pilot.pause()
        assert not history.check_action("resume", ()) and not history.check_action("discard", ())
        await pilot.press("up")
        await pilot.pause()

        await pilot.press("ctrl+r")  # resume from history
        await wait_for(pilot, lambda: isinstance(app.screen, InterviewScreen))
        resumed = app.screen
        await wait_for(
            pilot, lambda: resumed.session is not None and resumed.session.state == "awaiting-answer"
        )
        assert resumed.session.transcript.meta.id == open_one.meta.id
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is history)

        await pilot.press("x")  # discard: asks, then closes it for good, answers kept
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is history and "ended early" in str(table.get_row_at(0)))
    saved = load_transcript(find_session(open_one.meta.id))
    assert saved.meta.status == "ended-early"
    assert [t.text for t in saved.turns if t.kind == "answer"] == [open_one.turns[2].text]


async def test_the_palette_lists_the_apps_actions_once_and_no_editor_internals():
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_interview(pilot)
        assert screen.query_one("#answer", TextArea).has_focus
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for action in ("Submit", "Ask", "Skip", "End round", "Leave", "Quit"):
            assert action in titles
        assert len(titles) == len(set(titles))  # "Quit" once
        internals = [t for t in titles if t.lower().startswith(("cursor", "select", "scroll", "delete"))]
        assert not internals, internals
