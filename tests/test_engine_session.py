"""The interview engine with the real stub model, the real pack and real files."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_fakes import scripted_model

from mockinterview.engine import events as ev
from mockinterview.engine.session import (
    END_SESSION_NOTE,
    EngineError,
    InterviewConfig,
    InterviewSession,
    answer_text_for_grade,
    choose_probe,
    plan_questions,
)
from mockinterview.models.base import ChatResponse, ModelUnavailable
from mockinterview.packs.loader import load_pack
from mockinterview.storage.transcripts import load_transcript

GOOD = (
    "I start from the decision and compare against the current rules as a baseline. ML only fits when the "
    "pattern is too complex for rules and we have enough historical data with reliable labels, and the "
    "maintenance cost must be lower than the benefit. I would start simple."
)


class Recorder:
    def __init__(self) -> None:
        self.events: list = []

    def __call__(self, event) -> None:
        self.events.append(event)

    def of(self, kind):
        return [e for e in self.events if isinstance(e, kind)]


async def _run_to_end(session: InterviewSession, answer: str = GOOD, limit: int = 200) -> None:
    for _ in range(limit):
        if session.state != "awaiting-answer":
            return
        await session.submit_answer(answer)
    raise AssertionError("session did not finish")


def _config(**kw) -> InterviewConfig:
    # seed 0: the questions GOOD answers (a default session draws a fresh seed)
    base = {"rounds": ["basic", "behavioral"], "questions_per_round": 2, "track_time": False, "seed": 0}
    base.update(kw)
    return InterviewConfig(**base)


def test_question_plan_is_fixed_by_seed():
    pack = load_pack()
    a = plan_questions(pack, ["basic", "technical"], 3, seed=7)
    b = plan_questions(pack, ["basic", "technical"], 3, seed=7)
    c = plan_questions(pack, ["basic", "technical"], 3, seed=8)
    assert a == b
    assert a != c  # different seed, different questions (8+ candidates per round)
    assert all(len(ids) == 3 and len(set(ids)) == 3 for ids in a.values())
    assert all(pack.question(q).round == r for r, ids in a.items() for q in ids)


async def test_full_stub_session_grades_every_answer_and_saves_after_every_turn(tmp_path):
    rec = Recorder()
    on_disk_turns: list[int] = []
    streamed: list[str] = []

    def listener(event):
        rec(event)
        if isinstance(event, ev.Saved):
            on_disk_turns.append(len(json.loads(event.path.read_text())["turns"]))
        elif isinstance(event, ev.InterviewerChunk):
            streamed.append(event.text)
        elif isinstance(event, ev.TurnAdded) and event.turn.speaker == "interviewer":
            # What streamed is exactly what was recorded.
            assert "".join(streamed).strip() == event.turn.text
            streamed.clear()

    session = await InterviewSession.create(_config(), listener)
    await session.begin()
    assert session.state == "awaiting-answer"
    await _run_to_end(session)

    t = load_transcript(session.path)
    assert session.state == "finished" and t.meta.status == "completed"
    answers = [x for x in t.turns if x.kind == "answer"]
    assert answers and all(t.grade_for(a.id) for a in answers)
    # Every turn was on disk when its Saved event fired: saves never lag behind turns.
    assert on_disk_turns == sorted(on_disk_turns)
    assert on_disk_turns[-1] == len(t.turns)
    for added in rec.of(ev.TurnAdded):
        assert added.turn.id <= max(on_disk_turns)
    # Every planned question was asked in order, rounds in order.
    asked = [x.question_id for x in t.turns if x.kind == "question"]
    assert asked == t.meta.question_plan["basic"] + t.meta.question_plan["behavioral"]
    assert [e.round for e in rec.of(ev.RoundStarted)] == ["basic", "behavioral"]
    assert [e.round for e in rec.of(ev.RoundEnded)] == ["basic", "behavioral"]
    assert len(rec.of(ev.SessionEnded)) == 1
    # Each interviewer turn points at its recorded model call; grades at theirs.
    calls = {c.id for c in t.model_calls}
    assert all(
        set(x.model_call_ids) <= calls and x.model_call_ids for x in t.turns if x.speaker == "interviewer"
    )
    assert all(g.model_call_ids and g.grade.grader == "stub" for g in t.grades)
    assert t.meta.prompt_hashes and "grade_answer.j2" in t.meta.prompt_hashes
    # Streaming: the chunks of each interviewer turn add up to its text.
    assert rec.of(ev.InterviewerChunk)
    assert oct(session.path.stat().st_mode & 0o777) == "0o600"


async def test_follow_up_probes_what_the_answer_missed():
    session = await InterviewSession.create(_config(rounds=["basic"], questions_per_round=1))
    await session.begin()
    question = session.current_question
    await session.submit_answer("I would check the baseline rules first.")
    t = session.transcript
    grade = t.grades[-1].grade
    follow = [x for x in t.turns if x.kind == "follow-up"]
    assert len(follow) == 1
    chosen = choose_probe(question, grade, set())
    assert chosen is not None
    probe = question.follow_ups[chosen]
    assert probe.text in follow[0].text
    missed = {k.id for k in grade.missed} | {m.id for m in grade.mistakes}
    assert set(probe.targets) & missed
    # The follow-up answer is graded together with the first answer.
    await session.submit_answer("The maintenance cost has to be lower than the benefit.")
    assert len(t.grades) == 2
    assert t.grades[-1].grade.score >= t.grades[0].grade.score


async def test_clarification_is_answered_from_the_question_context_only():
    # seed 0: a question whose context has the order history asked about
    session = await InterviewSession.create(_config(rounds=["basic"], questions_per_round=1, seed=0))
    await session.begin()
    question = session.current_question
    await session.ask_clarification("How much order history do we have and what is the return rate?")
    reply = session.transcript.turns[-1]
    assert reply.kind == "clarification" and reply.reply_to == session.transcript.turns[-2].id
    assert session.state == "awaiting-answer"
    context_sentences = [s.strip() for s in question.context.replace("\n", " ").split(". ") if s.strip()]
    assert any(s.rstrip(".") in reply.text for s in context_sentences)
    # Nothing from the reference answer or the key points leaks out.
    for kp in question.key_points:
        assert kp.text not in reply.text
    assert question.reference_answer[:60] not in reply.text


async def test_skip_end_round_and_end_session():
    session = await InterviewSession.create(_config(rounds=["basic", "technical", "behavioral"]))
    await session.begin()
    await session.skip()
    assert [x.kind for x in session.transcript.turns][-2:] == ["skip", "question"]
    await session.end_round()  # the rest of basic
    assert session.progress().round == "technical"
    await session.submit_answer(GOOD)
    await session.end_session()
    t = load_transcript(session.path)
    assert t.meta.status == "ended-early" and session.state == "finished"
    assert t.turns[-1].kind == "closing"
    assert any(x.text == END_SESSION_NOTE for x in t.turns)
    assert all(t.grade_for(a.id) for a in t.turns if a.kind == "answer")
    with pytest.raises(EngineError):
        await session.submit_answer("too late")


async def test_time_overrun_is_recorded_as_a_note():
    session = await InterviewSession.create(_config(rounds=["basic"], time_limit_s=60, track_time=True))
    await session.begin()
    asked = session.transcript.turns[-1]
    asked.ended_at = asked.ended_at - timedelta(seconds=150)
    # A clarifying question does not restart the clock, and the answer still replies to the question.
    await session.ask_clarification("What data is there?")
    await session.submit_answer(GOOD)
    notes = [x.text for x in session.transcript.turns if x.kind == "note"]
    assert any("Time limit of 60 s exceeded by 90 s" in n for n in notes)
    answer = next(x for x in session.transcript.turns if x.kind == "answer")
    assert answer.reply_to == asked.id and answer.started_at == asked.ended_at


def _failing(purpose: str, calls: set[int], error=ModelUnavailable):
    """Fail the chosen calls (numbered per provider) of one purpose, like a remote model."""

    def script(request, n):
        if request.purpose == purpose and n in calls:
            raise error("endpoint unreachable (connection refused)")
        return None

    return scripted_model(script)


async def test_interviewer_fault_saves_a_note_and_retry_loses_nothing():
    rec = Recorder()
    session = await InterviewSession.create(_config(rounds=["basic"], max_follow_ups=0), rec)
    await session.begin()
    session.use_models(interviewer=_failing("interviewer", {1}))
    await session.submit_answer(GOOD)
    assert session.state == "needs-retry"
    fault = rec.of(ev.ModelFault)[-1]
    assert fault.retryable and "connection refused" in fault.message
    on_disk = load_transcript(session.path)
    assert [x.text for x in on_disk.turns if x.kind == "answer"] == [GOOD]  # the answer survived
    assert on_disk.grades and on_disk.grades[-1].grade.status == "ok"  # graded before the fault
    assert on_disk.turns[-1].kind == "note" and "connection refused" in on_disk.turns[-1].text
    assert on_disk.model_calls[-1].error and on_disk.model_calls[-1].error_type == "ModelUnavailable"
    with pytest.raises(EngineError):
        await session.submit_answer("answering while the question is missing")
    await session.retry()
    assert session.state == "awaiting-answer"
    assert [x.kind for x in session.transcript.turns].count("question") == 2


async def test_a_grader_fault_falls_back_with_its_message_and_the_interview_goes_on():
    rec = Recorder()
    session = await InterviewSession.create(_config(rounds=["basic"], max_follow_ups=0), rec)
    session.use_models(grader=_failing("grade", {1}))
    await session.begin()
    await session.submit_answer(GOOD)
    assert session.state == "awaiting-answer" and not rec.of(ev.ModelFault)
    record = session.transcript.grades[-1]
    assert record.grade.status == "fallback" and "connection refused" in record.grade.fallback_reason
    assert record.grade.score > 1.0  # the offline grade of a good answer, never a zero
    failed = [c for c in session.transcript.model_calls if c.id in record.model_call_ids]
    assert failed and failed[-1].error_type == "ModelUnavailable"


async def test_invalid_grader_output_is_re_asked_then_falls_back_to_the_offline_grader():
    def garbage(request, n):
        if request.purpose == "grade":
            return ChatResponse(text="Sure! The answer is great, 5/5.", model="openai:test-model")
        return None

    session = await InterviewSession.create(_config(rounds=["basic"], max_follow_ups=0))
    session.use_models(
        grader=scripted_model(garbage, name="openai:test-model", structured_modes=("json_object",))
    )
    await session.begin()
    await session.submit_answer(GOOD)
    record = session.transcript.grades[-1]
    grade = record.grade
    assert grade.status == "fallback" and "not valid JSON" in grade.fallback_reason
    assert grade.score > 1.0  # a real grade of a good answer, never a zero
    steps = [c.ladder_step for c in session.transcript.model_calls if c.id in record.model_call_ids]
    assert steps == ["json_object", "re-ask"]


async def test_skip_and_end_work_after_a_failed_step():
    rec = Recorder()
    session = await InterviewSession.create(
        _config(rounds=["basic"], questions_per_round=3, max_follow_ups=0), rec
    )
    await session.begin()
    dead = _failing("interviewer", set(range(1, 100)))
    session.use_models(interviewer=dead)
    await session.submit_answer(GOOD)  # graded; asking question 2 fails
    assert session.state == "needs-retry"
    await session.skip()  # the offline interviewer shows question 2, which is skipped
    t = session.transcript
    second = [x for x in t.turns if x.kind == "question"][-1]
    assert second.question_id == t.meta.question_plan["basic"][1]
    assert session.pack.question(second.question_id).text in second.text
    assert t.turns[-2].kind == "skip" and session.state == "needs-retry"  # question 3 failed too
    await session.end_session()  # the closing falls back to the offline interviewer
    assert session.state == "finished" and t.meta.status == "ended-early"
    assert t.turns[-1].kind == "closing"


async def test_changing_the_grader_on_resume_is_recorded_and_used():
    session = await InterviewSession.create(_config(rounds=["basic"], grader_model="openai:gone-model"))
    path = session.path
    await session.close()
    resumed = await InterviewSession.resume(path, grader_model="stub", track_time=False)
    await resumed.begin()
    await resumed.submit_answer(GOOD)
    t = load_transcript(path)
    assert t.meta.grader_model == "stub"
    assert any("Grader changed from openai:gone-model to stub" in x.text for x in t.turns if x.kind == "note")
    assert t.grades[-1].grade.status == "ok" and t.grades[-1].grade.grader == "stub"


async def test_resume_continues_where_the_transcript_stops():
    session = await InterviewSession.create(_config(max_follow_ups=0))
    await session.begin()
    await session.submit_answer(GOOD)
    waiting_for = session.progress().question_id
    path = session.path
    session.release_lock()  # the first process ends: the kernel drops its lock
    del session

    rec = Recorder()
    resumed = await InterviewSession.resume(path, rec, track_time=False)
    await resumed.begin()
    assert resumed.state == "awaiting-answer"
    assert rec.of(ev.AwaitingAnswer)[-1].question_id == waiting_for
    await _run_to_end(resumed)
    t = load_transcript(path)
    assert t.meta.status == "completed"
    assert sum(1 for x in t.turns if x.kind == "question") == 4
    await resumed.close()
    with pytest.raises(EngineError):
        await InterviewSession.resume(path)


async def test_bad_config_is_a_clear_error():
    with pytest.raises(EngineError, match="at least 1"):
        await InterviewSession.create(_config(questions_per_round=0))
    with pytest.raises(EngineError, match="no rounds"):
        await InterviewSession.create(_config(rounds=[]))
    with pytest.raises(EngineError, match="no such rubric pack"):
        await InterviewSession.create(_config(pack="no-such-pack"))
    with pytest.raises(EngineError, match="unknown model"):
        await InterviewSession.create(_config(grader_model="gpt-4"))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=300), min_size=1, max_size=4))
async def test_any_candidate_text_is_saved_verbatim_and_graded_with_real_quotes(texts):
    session = await InterviewSession.create(
        _config(rounds=["basic"], questions_per_round=2, max_follow_ups=1)
    )
    await session.begin()
    for text in texts:
        if session.state != "awaiting-answer":
            break
        await session.submit_answer(text)
    t = load_transcript(session.path)
    assert [x.text for x in t.turns if x.kind == "answer"] == texts[
        : len([x for x in t.turns if x.kind == "answer"])
    ]
    for record in t.grades:
        answer = answer_text_for_grade(t, record.turn_id)
        assert 1.0 <= record.grade.score <= 5.0
        assert all(m.evidence in answer for m in record.grade.mistakes)
        assert all(k.evidence is None or k.evidence in answer for k in record.grade.key_points)


async def test_an_empty_interviewer_reply_is_a_retryable_fault():
    def silent_once(request, n):
        return ChatResponse(text="  ", model="stub") if n == 1 else None

    rec = Recorder()
    session = await InterviewSession.create(_config(rounds=["basic"]), rec)
    session.use_models(interviewer=scripted_model(silent_once))
    await session.begin()
    assert session.state == "needs-retry" and rec.of(ev.ModelFault)[-1].retryable
    assert "empty reply" in session.fault.message
    await session.retry()
    kinds = [t.kind for t in session.transcript.turns if t.speaker == "interviewer"]
    assert kinds == ["round-intro", "question"] and all(t.text for t in session.transcript.turns)


async def test_a_resumed_question_gets_a_fresh_clock():
    session = await InterviewSession.create(_config(rounds=["basic"], time_limit_s=60, track_time=True))
    await session.begin()
    asked = session.transcript.turns[-1]
    asked.ended_at = asked.ended_at - timedelta(days=1)  # interrupted yesterday
    session._save()
    session.release_lock()  # that process ended
    resumed = await InterviewSession.resume(session.path)
    await resumed.begin()
    await resumed.submit_answer(GOOD)
    assert not [t for t in resumed.transcript.turns if t.kind == "note"]


async def test_a_failing_listener_does_not_break_the_interview(caplog):
    def broken(event):
        raise RuntimeError("UI bug")

    session = await InterviewSession.create(_config(rounds=["basic"], max_follow_ups=0), broken)
    await session.begin()
    await _run_to_end(session)
    assert session.state == "finished" and load_transcript(session.path).meta.status == "completed"
    assert "engine listener failed" in caplog.text


async def _begin_one_question(tmp_path):
    """Create a one-question stub session, begin it and close it: it ends awaiting an answer."""
    session = await InterviewSession.create(
        InterviewConfig(rounds=["basic"], questions_per_round=1, max_follow_ups=0, track_time=False),
        sessions_dir=tmp_path,
    )
    try:
        await session.begin()
    finally:
        await session.close()
    assert session.state == "awaiting-answer"


async def test_the_interviewer_s_tokenizer_is_built_off_the_event_loop(tmp_path, monkeypatch):
    """Building the token tables takes ~0.3 s: begin() does it in a thread, so a UI's event
    loop is not held while the first request is budgeted."""
    import threading

    from mockinterview.models import tokens

    built_on_loop_thread = []
    real = tokens._encoding_spec

    def spy(name):
        built_on_loop_thread.append(threading.current_thread() is threading.main_thread())
        return real(name)

    monkeypatch.setattr(tokens, "_encoding_spec", spy)
    tokens._encoding_or_none.cache_clear()
    tokens.get_encoding.cache_clear()
    await _begin_one_question(tmp_path)
    assert built_on_loop_thread == [False]


async def test_prepare_loads_ahead_what_starting_an_interview_needs(tmp_path, monkeypatch):
    """The home screen calls prepare() in a thread while the form is read: afterwards,
    create() and begin() neither read the pack's files nor build the tokenizer."""
    from mockinterview.engine.session import prepare
    from mockinterview.models import tokens
    from mockinterview.packs import loader

    tokens._encoding_or_none.cache_clear()
    tokens.get_encoding.cache_clear()
    loader._load_cached.cache_clear()
    prepare("no-such-pack", "stub")  # a problem is left for create() to report
    prepare("data-scientist", "stub")
    loaded_later = []
    real_spec, real_dir = tokens._encoding_spec, loader.load_pack_dir
    monkeypatch.setattr(tokens, "_encoding_spec", lambda name: loaded_later.append(name) or real_spec(name))
    monkeypatch.setattr(loader, "load_pack_dir", lambda path: loaded_later.append(path) or real_dir(path))
    await _begin_one_question(tmp_path)
    assert loaded_later == []
