"""What people see of the model layer: "thinking… N s" while a slow model works (TUI and a
progress line headless), tokens and cost at the end of a headless run, and how far to
trust a grade - a fallback or insufficient evidence - in the feedback, the reports and
the TUI."""

from __future__ import annotations

import io

from fake_openai_fixtures import *  # noqa: F403 - fixtures
from fake_openai_fixtures import FAKE_MODEL, Reply
from rich.console import Console
from textual.widgets import TextArea

from mockinterview.cli import interview_cmd
from mockinterview.cli.interview_cmd import Action, run_headless
from mockinterview.engine.session import InterviewConfig, InterviewSession
from mockinterview.reports import export
from mockinterview.reports.view import build_view
from mockinterview.storage.transcripts import load_transcript, save_transcript
from mockinterview.tui.app import create_app
from mockinterview.tui.screens.interview import InterviewScreen
from mockinterview.tui.widgets import answer_feedback

ANSWER = "I compare against the current rules as a baseline and check we have enough labelled data."


async def _graded_session():
    session = await InterviewSession.create(
        InterviewConfig(rounds=["basic"], questions_per_round=2, max_follow_ups=0, track_time=False)
    )
    await session.begin()
    while session.state == "awaiting-answer":
        await session.submit_answer(ANSWER)
    await session.close()
    t = load_transcript(session.path)
    first, second = t.grades
    first.grade = first.grade.model_copy(
        update={
            "grader": "openai:m",
            "agreement": 0.4,
            "outcome": "insufficient-evidence",
            "outcome_reason": "the model and the offline grader agree on 4 of 10 checks",
        }
    )
    second.grade = second.grade.model_copy(
        update={"status": "fallback", "fallback_reason": "http://x/v1 rejected response_format (HTTP 500)"}
    )
    save_transcript(t, session.path)
    return t


async def test_reports_and_the_feedback_say_how_far_to_trust_a_grade():
    t = await _graded_session()
    markdown = export(t, "md")
    assert "insufficient evidence: the model and the offline grader agree on 4 of 10 checks" in markdown
    assert "agree on 40% of the checks" in markdown
    # A URL in the Markdown report is escaped so no viewer turns it into a link.
    assert "graded offline, the model grader failed: http\\://x/v1 rejected response" in markdown
    assert "(offline fallback grader)\n\n_graded offline" in markdown  # a paragraph of its own
    html = export(t, "html")
    assert 'class="uncertain"' in html and "insufficient evidence" in html

    view = build_view(t)
    shown = []
    for answer in (a for r in view.rounds for a in r.answers):
        console = Console(file=io.StringIO(), width=200, color_system=None)
        console.print(answer_feedback(answer))
        shown.append(console.file.getvalue())
    assert any("insufficient evidence" in s for s in shown)
    assert any("graded offline" in s for s in shown)


async def test_a_headless_run_shows_progress_while_the_model_works_and_tokens_at_the_end(
    openai_settings, fake_openai, monkeypatch, capsys
):
    monkeypatch.setattr(interview_cmd, "PROGRESS_TICK_S", 0.05)
    monkeypatch.setattr(interview_cmd, "PROGRESS_FIRST_S", 0.1)
    fake_openai.default_reply = Reply.slow(0.6, "Let us begin.")
    config = InterviewConfig(
        rounds=["basic"],
        questions_per_round=1,
        max_follow_ups=0,
        interviewer_model=f"openai:{FAKE_MODEL}",
        track_time=False,
    )
    out = io.StringIO()
    code = await run_headless(config, iter([Action("answer", ANSWER)]), out=out)
    err = capsys.readouterr().err
    assert code == 0
    assert "thinking…" in err and f"openai:{FAKE_MODEL}" in err and "round-intro" in err
    text = out.getvalue()
    assert "tokens:" in text and "est. cost $" in text and "model calls" in text


async def test_the_tui_shows_thinking_with_the_seconds_while_the_model_works(openai_settings, fake_openai):
    now = [1000.0]
    fake_openai.default_reply = Reply.slow(1.5, "Welcome.")
    # The reply watched below must outlast the screen's 1-second tick after the clock moves:
    # at 1.5 s it was sometimes over first on a loaded 2-core machine ("Your answer").
    fake_openai.enqueue(Reply.slow(4.0, "Welcome."))
    config = {
        "rounds": ["basic"],
        "questions_per_round": 1,
        "interviewer_model": f"openai:{FAKE_MODEL}",
        "grader_model": "stub",
        "max_follow_ups": 0,
    }
    app = create_app(blink=False, clock=lambda: now[0], keymap={}, start_config=config)
    async with app.run_test(size=(100, 32)) as pilot:
        for _ in range(200):
            if isinstance(app.screen, InterviewScreen) and app.screen._waiting is not None:
                break
            await pilot.pause(0.02)
        editor = app.screen.query_one("#answer", TextArea)
        assert editor.border_title.startswith("Interviewer is thinking…")
        now[0] += 12
        for _ in range(100):
            if editor.border_title == "Interviewer is thinking… 12 s":
                break
            await pilot.pause(0.02)
        assert editor.border_title == "Interviewer is thinking… 12 s"
        for _ in range(400):
            if editor.border_title == "Your answer":
                break
            await pilot.pause(0.02)
        assert editor.border_title == "Your answer"  # the model answered: the candidate's turn


def test_the_feedback_titles_each_answer_with_the_bank_question_not_the_models_words():
    """A model that replaced the question (transcripts from before the bank question was
    always shown) or wrapped it in a lead-in does not title the answer; a follow-up answer
    shows the bank question and the follow-up it answers."""
    from datetime import timedelta

    from tui_sample import sample_transcript

    from mockinterview.domain.transcript import GradeRecord, Turn
    from mockinterview.packs.loader import load_pack

    pack = load_pack()
    t = sample_transcript()
    said = "Great. Your model reaches an AUC of 0.99 on the first try. What do you do?"
    (asked,) = [turn for turn in t.turns if turn.question_id == "data-leakage" and turn.kind == "question"]
    asked.text = said
    first = t.grades[1]
    at = asked.started_at + timedelta(minutes=3)
    follow_up = Turn(id=20, speaker="interviewer", kind="follow-up", round="basic", question_id="data-leakage",
                     started_at=at, text="And what would you check first, concretely?")  # fmt: skip
    answer = Turn(id=21, speaker="candidate", kind="answer", round="basic", question_id="data-leakage",
                  reply_to=20, started_at=at, text="The features built after the outcome.")  # fmt: skip
    t.turns[5:5] = [follow_up, answer]
    t.grades.append(GradeRecord(turn_id=21, question_id="data-leakage", round="basic", created_at=at,
                                grade=first.grade.model_copy()))  # fmt: skip

    view = build_view(t, pack)
    shown = {}
    for a in (a for r in view.rounds for a in r.graded_turns):  # every graded answer, as a mentor reads them
        console = Console(file=io.StringIO(), width=300, color_system=None)
        console.print(answer_feedback(a))
        shown[a.turn.id] = console.file.getvalue()
    bank = pack.question("data-leakage").text
    assert bank in shown[5] and said not in shown[5]
    # The question's final grade holds its follow-ups (one question, its probes, one grade).
    assert bank in shown[21] and "Follow-up 1: And what would you check first, concretely?" in shown[21]
    assert pack.question("overfitting").text in shown[3]
    # A question the installed pack does not have keeps the words that were said.
    assert "Tell me about a conflict with a stakeholder." in shown[7]
