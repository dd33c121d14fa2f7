"""Interviewer streaming in the interview screen, with 60 earlier messages on screen:
throughput (tokens/s rendered) and keypress latency while a reply streams.

Runs the real app headless (real engine, stub model) at 100x40, adds 60 earlier
messages to the chat, then streams a Markdown reply token by token (tiktoken tokens)
through the same message path the engine uses:

1. throughput: every token sent at once; time until the finished reply is on screen;
2. typing while streaming: tokens at a model-like pace while a key is typed into the
   answer editor every 25 ms; latency = key posted -> editor inserted it; also the
   worst event-loop stall seen by a 5 ms heartbeat.

Then the mentor's review screen on a long transcript (--review-turns): time to open
and time for a cursor move to repaint.

``--live-markdown`` keeps the 60 earlier messages as live Markdown widgets (the naive
layout) to show what one Static per finished message saves.

    .venv/bin/python bench/tui_streaming.py [--pace 150] [--live-markdown]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time

REPLY = """Thanks, that's a good start. Let me push on **validation** a little.

Suppose the churn model reaches an AUC of 0.97 on a random split. Before trusting it:

1. Which features exist *at prediction time*? Anything computed after the churn date leaks.
2. Would a **time-based split** tell a different story than a random one?
3. How would you check that `days_since_last_login` is not a proxy for the label?

```python
train = df[df.snapshot_date < "2025-01-01"]
test = df[df.snapshot_date >= "2025-01-01"]
```

Walk me through how you would monitor this model after launch: which metrics, which
alerts, and what would make you retrain or roll back. Keep the business outcome in view:
retained revenue per customer contacted, not just the model's ranking quality.
"""

EARLIER_INTERVIEWER = (
    "Let's talk about **imbalanced data**. Your fraud dataset has 0.3% positives.\n\n"
    "- Which metric would you report?\n- How would you pick a threshold?\n- What does the business lose on a false negative?"
)
EARLIER_CANDIDATE = (
    "I would look at precision and recall rather than accuracy, pick the threshold from the cost of a missed "
    "fraud versus a blocked customer, and validate on a later month so the estimate is honest."
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run(pace: float, live_markdown: bool, keys: int) -> None:
    from textual import events
    from textual.widgets import Markdown, TextArea

    from mockinterview.domain.transcript import Turn
    from mockinterview.engine.events import InterviewerChunk, TurnAdded
    from mockinterview.models.tokens import encoding_for_model
    from mockinterview.tui.app import create_app
    from mockinterview.tui.screens.interview import EngineMessage, InterviewScreen
    from mockinterview.tui.widgets import ChatMessage

    encoding = encoding_for_model("gpt-4o")
    tokens = [encoding.decode([t]) for t in encoding.encode(REPLY)]
    app = create_app(blink=False, keymap={})
    async with app.run_test(size=(100, 40)) as pilot:
        while not getattr(app.screen, "loaded", False):
            await pilot.pause(0.01)
        await pilot.press("ctrl+n")
        while not (isinstance(app.screen, InterviewScreen) and app.screen.session is not None
                   and app.screen.session.state == "awaiting-answer"):  # fmt: skip
            await pilot.pause(0.01)
        screen = app.screen
        chat = screen.query_one("#chat")

        earlier = []
        for i in range(60):
            speaker = "interviewer" if i % 2 == 0 else "candidate"
            text = EARLIER_INTERVIEWER if speaker == "interviewer" else EARLIER_CANDIDATE
            turn = Turn(id=1000 + i, speaker=speaker, kind="question" if i % 2 == 0 else "answer", text=text)
            if live_markdown:
                earlier.append(Markdown(text, classes=f"msg {speaker}"))
            else:
                earlier.append(ChatMessage(turn))
        t0 = time.perf_counter()
        await chat.mount_all(earlier, before=0)
        await pilot.pause()
        load_s = time.perf_counter() - t0

        async def stream(turn_id: int, delay: float) -> float:
            start = time.perf_counter()
            for tok in tokens:
                screen.post_message(EngineMessage(InterviewerChunk(tok)))
                if delay:
                    await asyncio.sleep(delay)
            final = Turn(id=turn_id, speaker="interviewer", kind="follow-up", text=REPLY)
            screen.post_message(EngineMessage(TurnAdded(final)))
            while not any(m.turn.id == turn_id for m in screen.query(ChatMessage)):
                await asyncio.sleep(0.001)
            await pilot.pause()
            return time.perf_counter() - start

        # 1. throughput
        elapsed = await stream(2000, 0.0)

        # 2. typing while a reply streams at a model-like pace
        editor = screen.query_one("#answer", TextArea)
        editor.focus()
        await pilot.pause()
        posted: list[float] = []
        latencies: list[float] = []
        original = editor._replace_via_keyboard

        def recording(*args, **kwargs):
            if len(latencies) < len(posted):
                latencies.append(time.perf_counter() - posted[len(latencies)])
            return original(*args, **kwargs)

        editor._replace_via_keyboard = recording
        stalls: list[float] = []
        stop = asyncio.Event()

        async def heartbeat() -> None:
            while not stop.is_set():
                before = time.perf_counter()
                await asyncio.sleep(0.005)
                stalls.append(time.perf_counter() - before - 0.005)

        async def typist() -> None:
            for _ in range(keys):
                posted.append(time.perf_counter())
                app.post_message(events.Key("x", "x"))
                await asyncio.sleep(0.025)

        beat = asyncio.create_task(heartbeat())
        typing = asyncio.create_task(typist())
        paced = await stream(2001, 1.0 / pace)
        await typing
        await pilot.pause()
        stop.set()
        await beat
        typed = editor.text.count("x")

    mode = "live Markdown widgets" if live_markdown else "one Static per finished message"
    ms = [v * 1000 for v in latencies]
    print(f"interview screen 100x40, 60 earlier messages as {mode}")
    print(f"  mounting the 60 earlier messages: {load_s * 1000:.0f} ms")
    print(f"  reply: {len(tokens)} tokens ({len(REPLY)} chars of Markdown)")
    print(
        f"  throughput, all tokens at once: {len(tokens) / elapsed:,.0f} tokens/s rendered ({elapsed * 1000:.0f} ms)"
    )
    print(f"  paced stream at {pace:.0f} tokens/s took {paced:.2f} s (ideal {len(tokens) / pace:.2f} s)")
    print(f"  keys typed during it: {len(posted)} posted, {typed} in the editor")
    print(
        f"  keypress latency: median {statistics.median(ms):.1f} ms, p95 {percentile(ms, 0.95):.1f} ms, "
        f"max {max(ms):.1f} ms"
    )
    print(f"  worst event-loop stall: {max(stalls) * 1000:.1f} ms")


async def review_long(turn_count: int) -> None:
    """The mentor's review screen on a long transcript: time to open, cost of a cursor move."""
    from pathlib import Path

    from textual.widgets import OptionList

    from mockinterview.domain.grade import Grade, KeyPointCoverage
    from mockinterview.domain.transcript import GradeRecord, SessionMeta, Transcript, Turn
    from mockinterview.storage.transcripts import save_transcript
    from mockinterview.tui.app import create_app
    from mockinterview.tui.screens.review import ReviewScreen

    turns, grades = [], []
    for i in range(1, turn_count + 1, 2):
        turns.append(
            Turn(id=i, speaker="interviewer", kind="question", round="basic", text=EARLIER_INTERVIEWER)
        )
        turns.append(
            Turn(
                id=i + 1,
                speaker="candidate",
                kind="answer",
                round="basic",
                reply_to=i,
                text=EARLIER_CANDIDATE,
            )
        )
        kps = [KeyPointCoverage(id="metric", text="Chooses precision/recall", covered=True, evidence="precision and recall"),
               KeyPointCoverage(id="cost", text="Prices the errors", covered=False)]  # fmt: skip
        grades.append(GradeRecord(turn_id=i + 1, question_id=f"q{i}", round="basic",
                                  grade=Grade(question_id=f"q{i}", score=3.2, key_points=kps, grader="stub")))  # fmt: skip
    meta = SessionMeta(id="bench-review", pack_id="data-scientist", pack_version="1.0.0", pack_hash="",
                       interviewer_model="stub", grader_model="stub", rounds=["basic"], questions_per_round=0)  # fmt: skip
    path = save_transcript(
        Transcript(meta=meta, turns=turns, grades=grades), Path(tempfile.mkdtemp()) / "long.json"
    )

    app = create_app(review_path=path, blink=False, keymap={})
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)):
        while not (isinstance(app.screen, ReviewScreen) and app.screen.query_one(OptionList).option_count):
            await asyncio.sleep(0.002)
        painted = asyncio.get_running_loop().create_future()
        app.screen.call_after_refresh(lambda: painted.set_result(time.perf_counter()))
        opened = await painted - start
        options = app.screen.query_one(OptionList)
        moves = []
        for i in range(1, 41):
            before = time.perf_counter()
            options.highlighted = i
            done = asyncio.get_running_loop().create_future()
            app.screen.call_after_refresh(lambda done=done: done.set_result(time.perf_counter()))
            moves.append((await done - before) * 1000)
    print(f"mentor review of {turn_count} turns ({len(grades)} graded), 120x40")
    print(f"  app start to the review painted: {opened * 1000:.0f} ms (app start, transcript load, layout)")
    print(f"  cursor move to repaint: median {statistics.median(moves):.1f} ms, max {max(moves):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pace", type=float, default=150.0, help="tokens per second for the typing test")
    parser.add_argument("--keys", type=int, default=80, help="keys typed while the reply streams")
    parser.add_argument(
        "--live-markdown", action="store_true", help="earlier messages as live Markdown widgets"
    )
    parser.add_argument("--review-turns", type=int, default=300, help="turns in the long review (0 skips it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MOCKINTERVIEW_DATA_DIR"] = f"{tmp}/data"
        os.environ["MOCKINTERVIEW_CONFIG_DIR"] = f"{tmp}/config"
        asyncio.run(run(args.pace, args.live_markdown, args.keys))
        if args.review_turns:
            asyncio.run(review_long(args.review_turns))


if __name__ == "__main__":
    main()
