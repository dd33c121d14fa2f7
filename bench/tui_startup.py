"""Time from process start to the home screen painted and idle, against bare Textual apps.

Each run is a fresh interpreter (so imports count), headless, 80x24. The child reports
the wall-clock moment the first screen is mounted and the app has gone idle after its
first refresh; the parent subtracts the moment it spawned the process.

    .venv/bin/python bench/tui_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, sys, time

kind = sys.argv[1]
first_paint = []  # when the first screen's first refresh completed


def mark_paint():
    if not first_paint:
        first_paint.append(time.time())


if kind == "bare":
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Bare(App):
        def on_mount(self):
            self.call_after_refresh(mark_paint)

        def compose(self):
            yield Header()
            yield Static("hello")
            yield Footer()

    app = Bare()
    ready = lambda: True
elif kind == "same-widgets":
    # A bare app with the home screen's widgets: separates Textual's cost from ours.
    from textual.app import App
    from textual.containers import Horizontal, Vertical
    from textual.widgets import Button, Footer, Header, Input, Label, Select, SelectionList, Static

    class SameWidgets(App):
        def on_mount(self):
            self.call_after_refresh(mark_paint)

        def compose(self):
            yield Header()
            with Vertical():
                yield Static("New interview")
                with Horizontal():
                    with Vertical():
                        yield Label("Role pack")
                        yield Select([("data-scientist", "data-scientist")], allow_blank=False)
                        with Horizontal():
                            yield Input()
                            yield Input()
                        yield Input("stub")
                    yield SelectionList(*[(r, r, True) for r in ("basic", "technical", "advanced", "behavioral")])
                with Horizontal():
                    for name in ("Start interview", "Resume", "History", "Review file"):
                        yield Button(name)
            yield Footer()

    app = SameWidgets()
    ready = lambda: True
else:
    from mockinterview.tui.app import create_app
    from mockinterview.tui.screens.home import HomeScreen

    # Home schedules its defaults loader for just after its first refresh: mark the
    # paint there, before the loader thread starts competing for the interpreter.
    load_defaults = HomeScreen._load_defaults

    def marked(self):
        mark_paint()
        load_defaults(self)

    HomeScreen._load_defaults = marked
    app = create_app()
    ready = lambda: isinstance(app.screen, HomeScreen) and app.screen.is_mounted


async def auto_pilot(pilot):
    while not (ready() and first_paint):
        await pilot.pause(0.001)
    info = {"t_paint": first_paint[0]}
    if kind == "mockinterview":
        # The form's defaults (config file, packs, interrupted session) load in a thread
        # after the first paint; the screen is idle once they are on it.
        while not app.screen.loaded:
            await pilot.pause(0.001)
    await pilot.pause()  # every pending message handled and the screen refreshed: idle
    info.update(t_idle=time.time(), openai_loaded="openai" in sys.modules, modules=len(sys.modules))
    print(json.dumps(info))
    app.exit()


app.run(headless=True, size=(80, 24), auto_pilot=auto_pilot)
"""


def one_run(kind: str, env: dict[str, str]) -> dict:
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind], capture_output=True, text=True, env=env, timeout=60, check=True
    ).stdout
    info = json.loads(out.strip().splitlines()[-1])
    info["paint_ms"] = (info["t_paint"] - t0) * 1000
    info["idle_ms"] = (info["t_idle"] - t0) * 1000
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    kinds = ("bare", "same-widgets", "mockinterview")
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, MOCKINTERVIEW_DATA_DIR=f"{tmp}/data", MOCKINTERVIEW_CONFIG_DIR=f"{tmp}/config")
        for kind in kinds:  # warm the OS file cache for every kind
            one_run(kind, env)
        for _ in range(args.runs):  # interleaved so machine load hits all equally
            for kind in kinds:
                runs[kind].append(one_run(kind, env))

    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    print(f"process start -> first screen painted / idle, headless 80x24, median of {args.runs} runs (ms)")
    print(f"{'app':<16}{'painted':>9}{'idle':>9}{'idle min':>10}{'idle max':>10}")
    for kind in kinds:
        idle = [r["idle_ms"] for r in runs[kind]]
        print(
            f"{kind:<16}{med(kind, 'paint_ms'):>9.0f}{med(kind, 'idle_ms'):>9.0f}{min(idle):>10.0f}{max(idle):>10.0f}"
        )
    for other in ("bare", "same-widgets"):
        print(
            f"mockinterview vs {other}: painted {med('mockinterview', 'paint_ms') - med(other, 'paint_ms'):+.0f} ms, "
            f"idle (form filled) {med('mockinterview', 'idle_ms') - med(other, 'idle_ms'):+.0f} ms"
        )
    last = runs["mockinterview"][-1]
    print(
        f"openai SDK imported by then: {last['openai_loaded']}; modules: {last['modules']} "
        f"(bare app {runs['bare'][-1]['modules']})"
    )


if __name__ == "__main__":
    main()
