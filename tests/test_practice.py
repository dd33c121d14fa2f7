"""The practice engine and its commands on real sessions (the stub interviewer and the
offline grader through the engine): three things to fix, a retry kept beside the first
attempt, the practice plan across sessions, ``retry`` and ``history --plan`` headless."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from practice_sample import BETTER, weak_session

from mockinterview.cli.main import main
from mockinterview.engine.practice import (
    practice_plan,
    retries_for,
    retry_question,
    retry_questions,
    sentences,
    top_fixes,
)
from mockinterview.packs.loader import load_pack
from mockinterview.storage.transcripts import load_transcript


def test_sentences_never_split_at_an_abbreviation_or_inside_a_number():
    text = "Use a lift curve, e.g. the top decile. AUC was 0.99! Keep k-1 folds for training. Done"
    assert sentences(text) == [
        "Use a lift curve, e.g. the top decile.",
        "AUC was 0.99!",
        "Keep k-1 folds for training.",
        "Done",
    ]


async def test_three_fixes_quote_the_candidate_beside_the_model_answer():
    _, transcript = await weak_session()
    pack = load_pack(transcript.meta.pack_id)
    fixes = top_fixes(transcript, pack)
    assert len(fixes) == 3
    answers = " ".join(t.text for t in transcript.turns if t.kind == "answer")
    for fix in fixes:
        question = pack.question(fix.question_id)
        assert fix.question == question.text
        if fix.quote is not None and fix.kind == "mistake":
            assert fix.quote in answers  # the candidate's own words, verbatim
        if fix.model_line is not None:
            assert fix.model_line in question.reference_answer  # a whole line of the model answer
    kinds = [f.kind for f in fixes]
    assert kinds[0] == "mistake"  # a mistake costs most
    assert len({f.title for f in fixes if f.kind == "mistake"}) == kinds.count("mistake")  # no repeats
    assert len({f.question_id for f in fixes}) == 3  # spread over the questions


async def test_a_retry_is_graded_saved_beside_the_first_and_leaves_the_session_scores():
    path, transcript = await weak_session()
    question_id, first_turn, first_score = next(
        (q, t, s) for q, t, s in retry_questions(transcript) if "0.99" in t.text
    )
    outcome = await retry_question(path, question_id, BETTER)
    assert outcome.first_score == first_score and outcome.attempt.grade.score > first_score
    assert outcome.now_covered and "Suspiciously good results taken at face value" in outcome.mistakes_gone
    saved = load_transcript(path)
    assert retries_for(saved, first_turn.id) == [outcome.attempt]
    assert saved.grades == transcript.grades and saved.meta.status == transcript.meta.status
    again = await retry_question(path, question_id, "I don't know.")
    assert again.attempt.id == "r2" and again.attempt.grade.score < outcome.attempt.grade.score
    assert [r.id for r in retries_for(load_transcript(path), first_turn.id)] == ["r1", "r2"]


async def test_the_practice_plan_finds_recurring_mistakes_missed_points_and_due_questions():
    assert practice_plan().sessions == 0 and practice_plan().empty
    for _ in range(2):
        path, transcript = await weak_session()
    plan = practice_plan()
    assert plan.sessions == 2
    leak = next(m for m in plan.mistakes if m.id == "leakage-unchecked")
    assert leak.times == 2 and leak.sessions == 2 and "0.99" in leak.last_quote and leak.how
    assert plan.missed_points and all(p.missed >= 1 and p.asked >= p.missed for p in plan.missed_points)
    due = {d.question_id: d for d in plan.due}
    skipped = next(t.question_id for t in transcript.turns if t.kind == "skip")
    assert due[skipped].last_score is None  # a skipped question is due first
    assert plan.due[0].last_score is None
    # A good retry takes its question off the due list.
    leaky = next(q for q, t, _ in retry_questions(transcript) if "0.99" in t.text)
    assert leaky in due
    outcome = await retry_question(path, leaky, BETTER + " " + BETTER)
    if outcome.attempt.grade.score >= 3.5:
        assert leaky not in {d.question_id for d in practice_plan().due}
    else:
        assert (
            next(d for d in practice_plan().due if d.question_id == leaky).last_score
            == outcome.attempt.grade.score
        )


def test_retry_and_history_plan_headless(tmp_path, capsys, monkeypatch):
    path, transcript = asyncio.run(weak_session())
    answer = tmp_path / "better.txt"
    answer.write_text(BETTER, encoding="utf-8")
    leaky = next(q for q, t, _ in retry_questions(transcript) if "0.99" in t.text)
    assert main(["retry", transcript.meta.id, "--question-id", leaky, "--answer-file", str(answer)]) == 0
    out = capsys.readouterr().out
    assert f"retry of {leaky}" in out and "first attempt" in out and str(path) in out
    assert main(["retry", transcript.meta.id, "--answer-file", str(answer), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["score"] >= 1.0 and Path(data["path"]) == path
    assert len(load_transcript(path).retries) == 2

    assert main(["retry", "no-such-session", "--answer-file", str(answer)]) == 2
    assert main(["retry", transcript.meta.id, "--question-id", "nope", "--answer-file", str(answer)]) == 2
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    assert main(["retry", transcript.meta.id, "--answer-file", str(empty)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("mockinterview: error:") for line in err)

    monkeypatch.setenv("COLUMNS", "80")
    assert main(["history", "--plan"]) == 0
    out = capsys.readouterr().out
    for heading in ("Questions due for another try", "Mistakes that recur", "Key points most often missed"):
        assert heading in out
    assert "mockinterview retry" in out and max(len(line) for line in out.splitlines()) <= 80
    assert main(["history", "--plan", "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["sessions"] == 1 and {"mistakes", "missed_points", "due"} <= set(plan)
