"""Headless interviews through the real command line, in-process and as a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mockinterview.cli.interview_cmd import Action, iter_actions
from mockinterview.cli.main import main
from mockinterview.storage.transcripts import load_transcript

ANSWER = (
    "I would first compare against the current rules as a baseline, check we have enough historical data "
    "with reliable labels, and only then consider a model if the benefit exceeds the maintenance cost."
)


def write_answers(tmp_path: Path, blocks: list[str], name: str = "answers.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n---\n".join(blocks) + "\n", encoding="utf-8")
    return path


def test_answers_file_blocks():
    text = (
        "first answer\nline two\n---\n? what data is there?\n---\n/skip\n---\n\n---\n/end-round\n---\n/end\n"
    )
    actions = list(iter_actions(text.splitlines(keepends=True)))
    assert actions == [
        Action("answer", "first answer\nline two"),
        Action("clarify", "what data is there?"),
        Action("skip"),
        Action("end-round"),
        Action("end"),
    ]


def test_headless_text_run_prints_turns_grades_and_the_path_last(tmp_path, capsys):
    answers = write_answers(
        tmp_path, ["? How much history is there?", ANSWER, ANSWER, "/skip", ANSWER, ANSWER]
    )
    code = main(["interview", "--no-tui", "--answers", str(answers), "--rounds", "basic", "--questions", "2"])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.strip().splitlines()
    path = Path(lines[-1])
    assert path.is_file() and path.suffix == ".json"
    assert "Interviewer:" in out and "score" in out and "You (clarifying):" in out
    t = load_transcript(path)
    assert t.meta.status == "completed"
    assert [x.kind for x in t.turns].count("clarification") == 1


def test_headless_json_and_resume_after_answers_run_out(tmp_path, capsys):
    args = [
        "interview",
        "--no-tui",
        "--rounds",
        "basic,technical",
        "--questions",
        "1",
        "--max-follow-ups",
        "0",
    ]
    first = write_answers(tmp_path, [ANSWER], "one.txt")
    assert main([*args, "--answers", str(first), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert result["status"] == "in-progress" and result["resumable"] is True
    assert "answers ran out" in err and result["session_id"] in err

    rest = write_answers(tmp_path, [ANSWER, ANSWER, "spare"], "rest.txt")
    assert (
        main(
            [
                "interview",
                "--no-tui",
                "--resume",
                result["session_id"],
                "--answers",
                str(rest),
                "--format",
                "json",
            ]
        )
        == 0
    )
    resumed = json.loads(capsys.readouterr().out)
    assert resumed["session_id"] == result["session_id"] and resumed["status"] == "completed"
    assert resumed["unused_answers"] == 2
    assert [g["question_id"] for g in resumed["grades"]] == [
        t["question_id"] for t in resumed["turns"] if t["kind"] == "answer"
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--rounds", "basic,lunch"], "unknown round 'lunch'"),
        (["--questions", "0"], "between 1 and 50"),
        (["--model", "gpt-4"], "unknown model"),
        (["--pack", "no-such-pack"], "no such rubric pack"),
        (["--resume", "nonexistent-session"], "no such session"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(tmp_path, capsys, argv, message):
    answers = write_answers(tmp_path, [ANSWER])
    code = main(["interview", "--no-tui", "--answers", str(answers), *argv])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert message in err and len(err.splitlines()) == 1


def test_missing_answers_file_and_no_tui_without_answers(tmp_path, capsys):
    assert main(["interview", "--no-tui", "--answers", str(tmp_path / "missing.txt")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["interview", "--no-tui"]) == 2
    assert "--answers" in capsys.readouterr().err


def _answers_on_disk(sessions: Path) -> list[str]:
    for path in sessions.glob("*.json"):
        try:
            data = json.loads(path.read_text())
        except (json.JSONDecodeError, OSError):
            return []  # atomic saves mean this never happens; the test would then time out
        return [t["text"] for t in data["turns"] if t["kind"] == "answer"]
    return []


def test_sigkill_after_the_third_answer_then_resume_loses_no_answer(tmp_path, isolated_dirs):
    """A real process is killed with SIGKILL once its transcript holds three answers;
    resuming it finishes the interview with every answered turn intact."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    sessions = isolated_dirs["data"] / "sessions"
    answers = [f"Answer {i}: {ANSWER}" for i in range(1, 6)]
    cmd = [sys.executable, "-m", "mockinterview", "interview", "--no-tui", "--answers", "-"]
    cmd += ["--rounds", "basic,technical", "--questions", "3", "--max-follow-ups", "0"]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    try:
        for answer in answers[:3]:
            proc.stdin.write(answer + "\n---\n")
            proc.stdin.flush()
        deadline = time.monotonic() + 60
        while len(_answers_on_disk(sessions)) < 3:
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "the third answer never reached the transcript"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL

    (path,) = sessions.glob("*.json")
    killed = load_transcript(path)
    assert killed.meta.status == "in-progress"
    assert [t.text for t in killed.turns if t.kind == "answer"] == answers[:3]

    rest = tmp_path / "rest.txt"
    rest.write_text("\n---\n".join(answers[3:] + [ANSWER]))
    done = subprocess.run(
        [sys.executable, "-m", "mockinterview", "interview", "--no-tui", "--resume", "--answers", str(rest)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(path)
    final = load_transcript(path)
    assert final.meta.status == "completed"
    texts = [t.text for t in final.turns if t.kind == "answer"]
    assert texts[:3] == answers[:3] and texts[3:] == [*answers[3:], ANSWER]
    assert all(final.grade_for(t.id) for t in final.turns if t.kind == "answer")
    assert len({t.id for t in final.turns}) == len(final.turns)


def test_history_lists_sessions_with_trend_and_deletes(tmp_path, capsys):
    weak = write_answers(tmp_path, ["I don't know.", "No idea."], "weak.txt")
    strong = write_answers(tmp_path, [ANSWER, ANSWER], "strong.txt")
    for answers in (weak, strong):
        assert (
            main(
                # --seed: both sessions ask the same question (a fresh draw would avoid it)
                ["interview", "--no-tui", "--answers", str(answers), "--rounds", "basic", "--questions", "1"]
                + ["--seed", "0"]
            )
            == 0
        )
    capsys.readouterr()
    assert main(["history", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)[::-1]  # newest first: oldest is last
    assert len(rows) == 2 and rows[0]["trend"] is None
    assert rows[1]["trend"] == pytest.approx(rows[1]["overall"] - rows[0]["overall"], abs=0.01)
    assert rows[1]["overall"] > rows[0]["overall"]
    assert main(["history"]) == 0
    out = capsys.readouterr().out
    assert rows[0]["id"] in out and out.index(rows[1]["id"]) < out.index(rows[0]["id"])  # newest first
    assert main(["history", "--delete", rows[0]["id"]]) == 0
    assert "deleted" in capsys.readouterr().out
    assert main(["history", "--delete", rows[0]["id"]]) == 2
    assert "no such session" in capsys.readouterr().err


def _history_at(columns: int, monkeypatch, capsys) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["history"]) == 0
    return capsys.readouterr().out


def test_history_at_80_columns_keeps_every_score_whole_and_marks_overrides(tmp_path, capsys, monkeypatch):
    from mockinterview.engine.review import override_grade, save_review

    monkeypatch.setenv("MOCKINTERVIEW_INTERVIEW__MAX_FOLLOW_UPS", "0")
    answers = write_answers(tmp_path, [ANSWER] * 8)  # four rounds of two questions
    for _ in range(2):
        assert main(["interview", "--no-tui", "--answers", str(answers), "--questions", "2"]) == 0
    path = Path(capsys.readouterr().out.strip().splitlines()[-1])
    t = load_transcript(path)
    override_grade(t, t.grades[0].turn_id, 4.5, "clearer than the grader thought")
    save_review(t, path)
    capsys.readouterr()
    for columns in (80, 120):
        out = _history_at(columns, monkeypatch, capsys)
        assert "…" not in out, out
        assert max(len(line) for line in out.splitlines()) <= columns
        assert t.meta.id in out
        for header in ("basic", "tech", "adv", "behav", "overall"):
            assert header in out
        assert "*" in out and "mentor's override" in out
    assert "model" not in _history_at(80, monkeypatch, capsys)  # low-value columns make way
    assert "model" in _history_at(120, monkeypatch, capsys)


def test_an_unfinished_session_is_named_and_can_be_discarded_without_losing_it(tmp_path, capsys, monkeypatch):
    answers = write_answers(tmp_path, [ANSWER])  # runs out of answers: the session stays unfinished
    main(["interview", "--no-tui", "--answers", str(answers), "--rounds", "basic", "--questions", "2"])
    path = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert load_transcript(path).meta.status == "in-progress"
    out = _history_at(80, monkeypatch, capsys)
    assert "unfinished" in out and "--discard" in out
    session_id = path.stem
    assert main(["history", "--discard", session_id]) == 0
    t = load_transcript(path)
    assert t.meta.status == "ended-early" and t.turns[-1].kind == "note"
    assert [x.text for x in t.turns if x.kind == "answer"] == [ANSWER]  # nothing lost
    capsys.readouterr()
    assert main(["history", "--discard", session_id]) == 2  # not unfinished any more: bad input
    assert "not unfinished" in capsys.readouterr().err


def test_a_model_fault_exits_nonzero_with_the_session_saved_for_resume(tmp_path, capsys):
    answers = write_answers(tmp_path, [ANSWER])
    code = main(["interview", "--no-tui", "--answers", str(answers), "--model", "openai:gpt-4o-mini"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "no API key" in err and "resume with" in err and len(err.strip().splitlines()) == 1
    t = load_transcript(Path(out.strip().splitlines()[-1]))
    assert t.meta.status == "in-progress" and t.turns[-1].kind == "note"
    assert t.model_calls[-1].error and "no API key" in t.model_calls[-1].error


def test_control_characters_in_answers_never_reach_the_terminal(tmp_path, capsys):
    import re

    hostile = "Clear \x1b[2J screen, copy \x1b]52;c;ZXZpbA==\x07 to the clipboard \x9b31m"
    answers = write_answers(tmp_path, [hostile, hostile])
    assert (
        main(["interview", "--no-tui", "--answers", str(answers), "--rounds", "basic", "--questions", "1"])
        == 0
    )
    out = capsys.readouterr().out
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out)
    assert "Clear \\x1b[2J screen" in out
    t = load_transcript(Path(out.strip().splitlines()[-1]))
    assert [x.text for x in t.turns if x.kind == "answer"][0] == hostile  # stored verbatim


def test_a_failed_save_is_one_line_naming_the_transcript_and_how_to_resume(tmp_path, capsys, monkeypatch):
    import mockinterview.storage.transcripts as storage

    real_replace = storage.os.replace
    saves = {"n": 0}

    def replace_until_disk_full(src, dst):
        saves["n"] += 1
        if saves["n"] > 4:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(storage.os, "replace", replace_until_disk_full)
    answers = write_answers(tmp_path, [ANSWER, ANSWER, ANSWER])
    code = main(["interview", "--no-tui", "--answers", str(answers), "--rounds", "basic", "--questions", "2"])
    err = capsys.readouterr().err.strip()
    monkeypatch.undo()
    assert code == 1 and len(err.splitlines()) == 1
    assert "No space left on device" in err and "--resume" in err
    (path,) = (tmp_path / "data" / "sessions").glob("*.json")
    assert str(path) in err
    assert load_transcript(path).turns  # the last good save is intact


async def test_the_scripted_interview_service_returns_a_typed_result_without_any_cli():
    """engine.headless is the headless run: the command only parses and renders. Actions
    that arrive after the end are counted, not applied; a resume with nothing to resume
    is a one-line error."""
    from mockinterview.engine.headless import HeadlessError, run_scripted_interview
    from mockinterview.engine.session import InterviewConfig

    events = []
    config = InterviewConfig(rounds=["basic"], questions_per_round=1, max_follow_ups=0, track_time=False)
    result = await run_scripted_interview(
        config, iter([Action("answer", ANSWER), Action("answer", "spare"), Action("end")]), on_event=events.append
    )
    assert result.state == "finished" and result.status == "completed" and not result.resumable
    assert result.unused_answers == 2 and result.fault is None and not result.needs_retry
    assert result.path.is_file() and load_transcript(result.path).meta.id == result.session_id
    assert list(result.round_scores) == ["basic"] and result.overall == result.round_scores["basic"]
    assert result.unanswered == 0 and len(result.transcript.grades) == 1
    assert any(type(e).__name__ == "GradeReady" for e in events)

    with pytest.raises(HeadlessError, match="no interrupted session to resume"):
        await run_scripted_interview(config, iter([]), resume="")
