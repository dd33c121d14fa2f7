"""Headless runs that meet a dead model still finish: /skip and /end go on without it, and
a grader named on --resume replaces the recorded one (issue 9: a session that could never
be finished)."""

from __future__ import annotations

import json

from fake_openai_fixtures import *  # noqa: F403 - fixtures
from fake_openai_fixtures import FAKE_MODEL, Reply

from mockinterview.cli.main import main
from mockinterview.storage.transcripts import load_transcript

ANSWER = "I compare against the current rules as a baseline and check we have enough labelled data."


def _answers(tmp_path, *blocks: str):
    path = tmp_path / "answers.txt"
    path.write_text("\n---\n".join(blocks) + "\n")
    return str(path)


def test_skip_and_end_finish_a_session_whose_interviewer_died(tmp_path, capsys, openai_settings, fake_openai):
    fake_openai.enqueue(Reply.ok("Welcome."), Reply.ok("First question."))
    fake_openai.default_reply = Reply.server_error(503)  # the server dies after the first question
    argv = ["interview", "--no-tui", "--rounds", "basic", "--questions", "3", "--max-follow-ups", "0"]
    argv += ["--model", f"openai:{FAKE_MODEL}", "--format", "json"]
    code = main([*argv, "--answers", _answers(tmp_path, ANSWER, "/skip", "/end")])
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert code == 0, captured.err
    assert result["status"] == "ended-early" and result["unused_answers"] == 0
    t = load_transcript(result["path"])
    kinds = [x.kind for x in t.turns]
    assert kinds.count("answer") == 1 and "skip" in kinds and kinds[-1] == "closing"
    skipped = next(x for x in t.turns if x.kind == "skip")
    asked = next(x for x in t.turns if x.id == skipped.reply_to)
    assert t.meta.question_plan["basic"][1] == asked.question_id  # question 2, shown by the offline stand-in
    assert [c.model for c in t.model_calls if c.purpose == "interviewer"][-1] == "stub"  # the closing


def test_resume_with_another_grader_finishes_what_a_dead_grader_left(
    tmp_path, capsys, openai_settings, fake_openai
):
    argv = ["interview", "--no-tui", "--rounds", "basic", "--questions", "2", "--max-follow-ups", "0"]
    code = main([*argv, "--grader", f"openai:{FAKE_MODEL}", "--answers", _answers(tmp_path, ANSWER)])
    out = capsys.readouterr().out
    path = out.strip().splitlines()[-1]
    assert code == 0 and load_transcript(path).meta.status == "in-progress"

    fake_openai.stop()  # the grading server is gone
    code = main(
        ["interview", "--no-tui", "--resume", "--grader", "stub", "--answers", _answers(tmp_path, ANSWER)]
    )
    capsys.readouterr()
    t = load_transcript(path)
    assert code == 0 and t.meta.status == "completed" and t.meta.grader_model == "stub"
    assert any(
        f"Grader changed from openai:{FAKE_MODEL} to stub" in x.text for x in t.turns if x.kind == "note"
    )
    assert t.grades[-1].grade.status == "ok" and t.grades[-1].grade.grader == "stub"
