"""Variety with memory: a fresh draw each session, recorded; --seed pins it; the draw
prefers questions not asked recently and weak topics (engine + real pack + real files)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from mockinterview.engine.session import InterviewConfig, InterviewSession, plan_questions
from mockinterview.engine.sessions import QuestionMemory, question_memory
from mockinterview.packs.loader import load_pack
from mockinterview.storage.transcripts import load_transcript, round_scores

ANSWER = "Overfitting is when a model fits noise; I compare training and validation error."


async def _asked_all(config: InterviewConfig, tmp_path) -> InterviewSession:
    session = await InterviewSession.create(config, sessions_dir=tmp_path)
    await session.begin()
    while session.state == "awaiting-answer":
        await session.submit_answer(ANSWER)
    return session


async def test_two_default_sessions_in_a_row_ask_different_questions(tmp_path):
    config = InterviewConfig(rounds=["basic"], track_time=False)
    first = await _asked_all(config, tmp_path)
    second = await _asked_all(config, tmp_path)
    a, b = first.transcript.meta, second.transcript.meta
    assert a.seed is not None and b.seed is not None
    assert not a.plan_from_history and b.plan_from_history  # the second one read the first
    assert set(a.question_plan["basic"]).isdisjoint(b.question_plan["basic"])
    # The seed is in the file, beside the plan it drew.
    saved = load_transcript(second.path).meta
    assert (saved.seed, saved.question_plan) == (b.seed, b.question_plan)


async def test_a_pinned_seed_draws_the_same_questions_whatever_the_history(tmp_path):
    first = await _asked_all(InterviewConfig(rounds=["basic"], seed=11, track_time=False), tmp_path)
    second = await _asked_all(InterviewConfig(rounds=["basic"], seed=11, track_time=False), tmp_path)
    assert first.transcript.meta.question_plan == second.transcript.meta.question_plan
    assert second.transcript.meta.seed == 11 and not second.transcript.meta.plan_from_history


def test_recently_asked_questions_are_drawn_last():
    pack = load_pack()
    pool = [q.id for q in pack.questions_for("basic")]
    memory = QuestionMemory(last_asked={qid: i % 3 for i, qid in enumerate(pool[:-2])})
    for seed in range(20):
        plan = plan_questions(pack, ["basic"], 3, seed, memory)["basic"]
        assert set(pool[-2:]) < set(plan)  # both unseen ones, then the one seen longest ago
        assert memory.last_asked[plan[2]] == 2


def test_weak_topics_are_drawn_more_often():
    pack = load_pack()
    pool = pack.questions_for("basic")
    weak = pool[0]
    memory = QuestionMemory(topic_scores={weak.topic: 1.5, **{q.topic: 4.5 for q in pool[1:]}})
    counts = Counter(plan_questions(pack, ["basic"], 1, seed, memory)["basic"][0] for seed in range(300))
    others = [counts[q.id] for q in pool[1:]]
    assert counts[weak.id] > 2 * max(others)  # weight 3 against 1
    uniform = Counter(plan_questions(pack, ["basic"], 1, seed)["basic"][0] for seed in range(300))
    assert uniform[weak.id] < counts[weak.id]


async def test_memory_reads_past_sessions_of_the_pack_through_the_sessions_service(tmp_path):
    session = await InterviewSession.create(
        InterviewConfig(rounds=["basic"], seed=3, track_time=False), sessions_dir=tmp_path
    )
    await session.begin()
    await session.skip()  # a skipped question scores the floor, in the memory as in the scores
    memory = question_memory(load_pack(), tmp_path)
    first = session.transcript.meta.question_plan["basic"][0]
    assert memory.sessions == 1 and memory.last_asked[first] == 0
    assert memory.topic_scores[load_pack().question(first).topic] == 1.0


async def test_a_skipped_question_counts_in_the_round_score(tmp_path):
    session = await InterviewSession.create(
        InterviewConfig(rounds=["basic"], questions_per_round=2, max_follow_ups=0, track_time=False),
        sessions_dir=tmp_path,
    )
    await session.begin()
    await session.submit_answer(ANSWER)
    answered = session.transcript.grades[-1].grade.score
    await session.skip()
    per_round, overall = round_scores(session.transcript)
    assert per_round["basic"] == round((answered + 1.0) / 2, 2) == overall


async def test_the_question_clock_is_paused_while_feedback_is_read(tmp_path, monkeypatch):
    import mockinterview.engine.session as session_module

    now = [datetime(2026, 1, 15, 9, 0, tzinfo=UTC)]
    monkeypatch.setattr(session_module, "utcnow", lambda: now[0])

    async def run(pause: bool) -> list[str]:
        session = await InterviewSession.create(
            InterviewConfig(
                rounds=["basic", "technical"],
                questions_per_round=1,
                max_follow_ups=0,
                time_limit_s=60,
                seed=1,
            ),
            sessions_dir=tmp_path,
        )
        await session.begin()
        now[0] += timedelta(seconds=10)
        if pause:
            session.pause_clock()  # the round's feedback opens as the answer is sent
        await session.submit_answer(ANSWER)  # the next round's question is asked meanwhile
        now[0] += timedelta(seconds=90)  # reading the feedback
        if pause:
            session.resume_clock()
        now[0] += timedelta(seconds=30)
        await session.submit_answer(ANSWER)
        return [t.text for t in session.transcript.turns if t.kind == "note"]

    assert not await run(pause=True)  # 30 s of the 60 while the question was open
    assert any("Time limit of 60 s exceeded by 60 s" in n for n in await run(pause=False))
