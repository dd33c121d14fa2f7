"""Per-turn overhead of the interview engine over a 40-turn session.

What the engine adds to every turn, whatever the model: rendering the prompt
templates, counting tokens and trimming the history to the context budget, and the
atomic save of the whole transcript (temp file + fsync + rename + dir fsync).

It first runs a real stub session until it has 40 turns (timing each engine call end
to end), then re-measures each component on every prefix of that transcript, so the
numbers reflect a transcript that grows as a real one does.

    .venv/bin/python bench/turn_overhead.py [--turns 40] [--repeat 3] [--model openai:gpt-4o-mini]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _stats(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"mean {statistics.fmean(ordered):7.3f}  median {statistics.median(ordered):7.3f}  p95 {p95:7.3f}"


async def run_session(turns: int, sessions: Path):
    from mockinterview.engine.session import InterviewConfig, InterviewSession

    answers = [
        "I would compare against the current rules as a baseline and check the data quality and labels first.",
        "We saw AUC 0.99 so the model is great; I would pick a deep neural network to be safe.",
        "I track input drift and prediction drift, alert on thresholds, and retrain when performance drops.",
        "Situation: churn rose. I owned the analysis, shipped a model with engineering and cut churn by 12%.",
    ]
    config = InterviewConfig(questions_per_round=4, max_follow_ups=1, track_time=False)
    session = await InterviewSession.create(config, sessions_dir=sessions)
    step_ms: list[float] = []
    t0 = time.perf_counter()
    await session.begin()
    step_ms.append((time.perf_counter() - t0) * 1000)
    i = 0
    while session.state == "awaiting-answer" and len(session.transcript.turns) < turns:
        t0 = time.perf_counter()
        if i % 7 == 3:
            await session.ask_clarification("What data do we have and how much of it?")
        else:
            await session.submit_answer(answers[i % len(answers)])
        step_ms.append((time.perf_counter() - t0) * 1000)
        i += 1
    return session, step_ms


def prefix(transcript, k: int):
    """The transcript as it was when it had k turns."""
    turns = transcript.turns[:k]
    call_ids = {c for t in turns for c in t.model_call_ids}
    grades = [g for g in transcript.grades if g.turn_id <= turns[-1].id]
    call_ids |= {c for g in grades for c in g.model_call_ids}
    last = max((i for i, c in enumerate(transcript.model_calls) if c.id in call_ids), default=-1)
    return transcript.model_copy(
        update={"turns": turns, "grades": grades, "model_calls": transcript.model_calls[: last + 1]}
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3, help="measurements per prefix (the minimum is kept)")
    parser.add_argument("--model", default="openai:gpt-4o-mini", help="model name used for token counting")
    parser.add_argument(
        "--budget", type=int, default=1500, help="context budget in tokens (small, so trimming runs)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("MOCKINTERVIEW_DATA_DIR", tmp)
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from mockinterview.conversation import STEP_TEMPLATES, SYSTEM_TEMPLATE, history_messages
        from mockinterview.models.base import ChatMessage
        from mockinterview.models.tokens import count_messages, trim_to_budget
        from mockinterview.packs.loader import load_pack
        from mockinterview.prompting import render
        from mockinterview.storage.transcripts import save_transcript

        t_start = time.perf_counter()
        session, step_ms = asyncio.run(run_session(args.turns, Path(tmp) / "sessions"))
        wall_s = time.perf_counter() - t_start
        transcript = session.transcript
        pack = load_pack()
        question = pack.question(transcript.meta.question_plan["basic"][0])
        spec = pack.meta.rounds[0]
        data = {
            "round": "basic",
            "round_title": spec.title,
            "round_description": spec.description,
            "round_index": 0,
            "total_rounds": 4,
            "questions": 4,
            "question_index": 1,
            "questions_in_round": 4,
            "answered": 3,
            "rounds_done": 1,
            "ended_early": False,
            "question_id": question.id,
            "question_text": question.text,
            "topic": question.topic,
            "probe_text": question.follow_ups[0].text,
            "candidate_text": "What data do we have?",
            "context": question.context,
        }

        n = len(transcript.turns)
        render_ms, budget_ms, save_ms, serialize_ms, sizes, trimmed = [], [], [], [], [], 0
        save_path = Path(tmp) / "bench.json"
        for k in range(1, n + 1):
            snapshot = prefix(transcript, k)
            best_r = best_b = best_s = best_j = float("inf")
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                system = render(
                    SYSTEM_TEMPLATE, role_name=pack.meta.name, role_summary=pack.meta.role_summary, **data
                )
                step = render(STEP_TEMPLATES["question"], **data)
                stub_text = render("stub/question.j2", **data)
                t1 = time.perf_counter()
                messages = [ChatMessage(role="system", content=system), *history_messages(snapshot.turns)]
                messages.append(ChatMessage(role="system", content=step))
                kept = trim_to_budget(messages, args.budget, args.model)
                count_messages(kept, args.model)
                t2 = time.perf_counter()
                save_transcript(snapshot, save_path)
                t3 = time.perf_counter()
                snapshot.model_dump_json(indent=1)
                best_j = min(best_j, (time.perf_counter() - t3) * 1000)
                best_r = min(best_r, (t1 - t0) * 1000)
                best_b = min(best_b, (t2 - t1) * 1000)
                best_s = min(best_s, (t3 - t2) * 1000)
            assert stub_text
            trimmed += len(kept) < len(messages)
            render_ms.append(best_r)
            budget_ms.append(best_b)
            save_ms.append(best_s)
            serialize_ms.append(best_j)
            sizes.append(save_path.stat().st_size)

    total = [r + b + s for r, b, s in zip(render_ms, budget_ms, save_ms, strict=True)]
    print(
        f"session: {n} turns, {len(transcript.grades)} grades, {len(transcript.model_calls)} model calls (stub)"
    )
    print(
        f"transcript size: {sizes[0] / 1024:.1f} KiB after turn 1, {sizes[-1] / 1024:.1f} KiB after turn {n}"
    )
    print(f"token budget {args.budget} ({args.model}): history trimmed on {trimmed} of {n} turns")
    print(f"per-turn overhead, ms (best of {args.repeat} per prefix):")
    print(f"  templates        {_stats(render_ms)}")
    print(f"  token budgeting  {_stats(budget_ms)}")
    print(f"  atomic save      {_stats(save_ms)}")
    print(f"    of which JSON  {_stats(serialize_ms)}  (the rest: temp file, fsync, rename, dir fsync)")
    print(f"  total            {_stats(total)}")
    print("end to end with the stub model (engine call incl. grading, saves, events), ms per engine call:")
    print(f"  engine step      {_stats(step_ms)}   ({len(step_ms)} calls, {wall_s:.2f} s wall incl. startup)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
