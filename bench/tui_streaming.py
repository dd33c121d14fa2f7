"""Interviewer streaming in the interview screen, with 120 earlier messages on screen:
does the view keep pace with the model, and does typing stay responsive while it streams.

Runs the real app headless (real engine, stub model) at 100x40, adds 120 earlier
messages to the chat, then streams a Markdown reply token by token (tiktoken tokens)
through the same message path the engine uses:

1. throughput: every token sent at once; time until the finished reply is on screen;
2. a model-paced stream (``--pace`` tokens/s, default 150): token i arrives at
   start + i/pace whatever the UI is doing, as from a server; the time until the finished
   reply is on screen is compared with the ideal (tokens / pace) — the baseline of the
   same run — while a key is typed into the answer editor every 25 ms (latency = key
   posted -> editor inserted it) and a 5 ms heartbeat records the worst event-loop stall.

``--live-markdown`` keeps the earlier messages as live Markdown widgets (the naive
layout) to show what one Static per finished message saves.

    .venv/bin/python bench/tui_streaming.py [--pace 150] [--earlier 120] [--live-markdown]
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


async def run(pace: float, live_markdown: bool, keys: int, earlier_count: int) -> dict:
    from textual import events
    from textual.widgets import Markdown, TextArea

    from mockinterview.domain.transcript import Turn
    from mockinterview.engine.events import InterviewerChunk, TurnAdded
    from mockinterview.models.tokens import encoding_for_model
    from mockinterview.tui.app import create_app
    from mockinterview.tui.screens import interview as interview_screen
    from mockinterview.tui.screens.interview import InterviewScreen

    # One message per event (engine_message); the code before it had one catch-all class.
    engine_message = getattr(interview_screen, "engine_message", None) or interview_screen.EngineMessage
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
        for i in range(earlier_count):
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

        async def stream(turn_id: int, pace: float | None) -> float:
            """Post the reply token by token; seconds until the finished reply is on screen.
            With a pace, token i is posted at start + i/pace (a server does not wait for the UI)."""
            start = time.perf_counter()
            for i, tok in enumerate(tokens):
                if pace:
                    delay = start + i / pace - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                screen.post_message(engine_message(InterviewerChunk(tok)))
            final = Turn(id=turn_id, speaker="interviewer", kind="follow-up", text=REPLY)
            screen.post_message(engine_message(TurnAdded(final)))
            while not any(m.turn.id == turn_id for m in screen.query(ChatMessage)):
                await asyncio.sleep(0.001)
            painted = asyncio.get_running_loop().create_future()
            screen.call_after_refresh(lambda: painted.done() or painted.set_result(time.perf_counter()))
            return await painted - start

        # 1. throughput
        elapsed = await stream(2000, None)

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

        async def typist() -> None:
            for _ in range(keys):
                posted.append(time.perf_counter())
                app.post_message(events.Key("x", "x"))
                await asyncio.sleep(0.025)

        beat = asyncio.create_task(heartbeat_stalls(stop, stalls))
        typing = asyncio.create_task(typist())
        paced = await stream(2001, pace)
        await typing
        await pilot.pause()
        stop.set()
        await beat
        typed = editor.text.count("x")

    mode = "live Markdown widgets" if live_markdown else "one Static per finished message"
    ms = [v * 1000 for v in latencies]
    ideal = len(tokens) / pace
    print(f"interview screen 100x40, {earlier_count} earlier messages as {mode}")
    print(f"  mounting the {earlier_count} earlier messages: {load_s * 1000:.0f} ms")
    print(f"  reply: {len(tokens)} tokens ({len(REPLY)} chars of Markdown)")
    print(
        f"  throughput, all tokens at once: {len(tokens) / elapsed:,.0f} tokens/s rendered ({elapsed * 1000:.0f} ms)"
    )
    print(
        f"  model at {pace:.0f} tokens/s: reply on screen after {paced:.2f} s, ideal {ideal:.2f} s "
        f"-> {paced / ideal:.2f}x the ideal (target <= 1.1x)"
    )
    print(f"  keys typed during it: {len(posted)} posted, {typed} in the editor")
    print(
        f"  keypress latency: median {statistics.median(ms):.1f} ms, p95 {percentile(ms, 0.95):.1f} ms, "
        f"max {max(ms):.1f} ms"
    )
    floor = await noise_floor(paced)
    print(
        f"  worst event-loop stall: {max(stalls) * 1000:.1f} ms (target <= 50 ms); "
        f"a bare Textual app idling as long in the same run: {floor:.1f} ms"
    )
    return {"ratio": paced / ideal, "stall_ms": max(stalls) * 1000, "floor_ms": floor}


async def heartbeat_stalls(stop: asyncio.Event, stalls: list[float]) -> None:
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        stalls.append(time.perf_counter() - before - 0.005)


async def noise_floor(seconds: float) -> float:
    """The worst stall the same heartbeat sees in a bare Textual app doing nothing, for as
    long as the paced stream lasted: what this (shared, busy) machine costs by itself."""
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Bare(App):
        def compose(self):
            yield Header()
            yield Static("idle")
            yield Footer()

    stalls: list[float] = []
    async with Bare().run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        stop = asyncio.Event()
        beat = asyncio.create_task(heartbeat_stalls(stop, stalls))
        await asyncio.sleep(seconds)
        stop.set()
        await beat
    return max(stalls) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pace", type=float, default=150.0, help="the model's tokens per second")
    parser.add_argument("--earlier", type=int, default=120, help="earlier messages in the chat")
    parser.add_argument("--keys", type=int, default=80, help="keys typed while the reply streams")
    parser.add_argument("--runs", type=int, default=3, help="repeat and report medians (a busy machine)")
    parser.add_argument(
        "--live-markdown", action="store_true", help="earlier messages as live Markdown widgets"
    )
    args = parser.parse_args()
    results = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["MOCKINTERVIEW_DATA_DIR"] = f"{tmp}/data"
            os.environ["MOCKINTERVIEW_CONFIG_DIR"] = f"{tmp}/config"
            results.append(asyncio.run(run(args.pace, args.live_markdown, args.keys, args.earlier)))
    if args.runs > 1:
        ratios = sorted(r["ratio"] for r in results)
        stalls = sorted(r["stall_ms"] for r in results)
        floors = sorted(r["floor_ms"] for r in results)
        print(
            f"median of {args.runs} runs: {statistics.median(ratios):.2f}x the ideal time "
            f"(runs {', '.join(f'{x:.2f}' for x in ratios)}); worst stall {statistics.median(stalls):.0f} ms "
            f"(runs {', '.join(f'{x:.0f}' for x in stalls)}), bare app idling "
            f"{statistics.median(floors):.0f} ms (runs {', '.join(f'{x:.0f}' for x in floors)})"
        )


if __name__ == "__main__":
    main()
