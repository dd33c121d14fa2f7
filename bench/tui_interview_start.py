"""Start an interview from the home screen: time from the Start key to the first question
awaiting an answer, and the worst event-loop stall meanwhile, against a bare Textual app
pushing a screen on a key in the same run.

Each run is a fresh interpreter (a first start: nothing of the engine imported yet),
headless 100x40, stub models. The home form is filled, then ``--read`` seconds pass (a
person reads the form) before Ctrl+N. A 5 ms heartbeat records the worst stall. The
baseline is a bare app (header, a line, footer) that pushes a plain screen on a key, timed
the same way; runs are interleaved so machine load hits both alike.

    .venv/bin/python bench/tui_interview_start.py [--runs 5] [--read 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import asyncio, json, sys, time

kind, read_s = sys.argv[1], float(sys.argv[2])


async def heartbeat(stop, stalls):
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        stalls.append(time.perf_counter() - before - 0.005)


async def main():
    if kind == "bare":
        from textual.app import App
        from textual.screen import Screen
        from textual.widgets import Footer, Header, Static

        class Next(Screen):
            def compose(self):
                yield Header()
                yield Static("next")
                yield Footer()

            def on_mount(self):
                self.call_after_refresh(lambda: setattr(self, "shown", True))

        class Bare(App):
            BINDINGS = [("ctrl+n", "next", "Next")]

            def compose(self):
                yield Header()
                yield Static("idle")
                yield Footer()

            def action_next(self):
                self.push_screen(Next())

        app = Bare()
        loaded = lambda: True
        started = lambda: getattr(app.screen, "shown", False)
    else:
        from mockinterview.tui.app import create_app

        app = create_app(blink=False, keymap={})
        loaded = lambda: getattr(app.screen, "loaded", False)

        def started():
            session = getattr(app.screen, "session", None)
            return session is not None and session.state == "awaiting-answer"

    async with app.run_test(size=(100, 40)) as pilot:
        while not loaded():
            await pilot.pause(0.01)
        await asyncio.sleep(read_s)
        stalls, stop = [], asyncio.Event()
        beat = asyncio.create_task(heartbeat(stop, stalls))
        t0 = time.perf_counter()
        await pilot.press("ctrl+n")
        while not started():
            await asyncio.sleep(0.002)
        elapsed = time.perf_counter() - t0
        stop.set()
        await beat
    print(json.dumps({"start_ms": elapsed * 1000, "stall_ms": max(stalls) * 1000}))


asyncio.run(main())
"""


def one_run(kind: str, read_s: float, env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(read_s)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--read", type=float, default=2.0, help="seconds between the form filled and Start")
    args = parser.parse_args()
    runs: dict[str, list[dict]] = {"bare": [], "mockinterview": []}
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, MOCKINTERVIEW_DATA_DIR=f"{tmp}/data", MOCKINTERVIEW_CONFIG_DIR=f"{tmp}/config")
        for _ in range(args.runs):
            for kind in runs:
                runs[kind].append(one_run(kind, args.read, env))

    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    def each(kind: str, key: str) -> str:
        return ", ".join(f"{r[key]:.0f}" for r in runs[kind])

    print(f"Start key -> first question awaiting an answer, headless 100x40, median of {args.runs} runs")
    for kind in runs:
        print(
            f"  {kind:<14} {med(kind, 'start_ms'):6.0f} ms (runs {each(kind, 'start_ms')}); "
            f"worst stall {med(kind, 'stall_ms'):4.0f} ms (runs {each(kind, 'stall_ms')})"
        )
    print(
        f"mockinterview vs a bare app pushing a screen: {med('mockinterview', 'start_ms') / med('bare', 'start_ms'):.1f}x "
        f"the time, worst stall {med('mockinterview', 'stall_ms') / max(med('bare', 'stall_ms'), 0.1):.1f}x"
    )


if __name__ == "__main__":
    main()
