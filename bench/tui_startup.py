"""Time from process start to the home screen painted, idle and filled, against bare Textual
apps in the same run.

Each run is a fresh interpreter (so imports count), headless, 80x24. The child reports the
wall-clock moments of

- painted: the first screen's first refresh done;
- idle: the screen has handled everything queued by then and refreshed again (it takes
  keys; a key pressed before the form is filled runs once it is);
- filled (mockinterview only): the form shows the config file's defaults, the packs and the
  recent sessions, which load in a thread after the first paint without moving the form.

The parent subtracts the moment it spawned the process. Runs are interleaved so machine
load hits every app alike; medians are reported with the ratio to the bare app.

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
import asyncio, json, sys, time

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

    home_mounted = HomeScreen.on_mount

    def marked(self):
        home_mounted(self)
        self.call_after_refresh(mark_paint)

    HomeScreen.on_mount = marked
    app = create_app()
    ready = lambda: isinstance(app.screen, HomeScreen) and app.screen.is_mounted


async def refreshed(screen):
    done = asyncio.get_running_loop().create_future()
    screen.call_after_refresh(lambda: done.done() or done.set_result(time.time()))
    return await done


async def auto_pilot(pilot):
    while not (ready() and first_paint):
        await asyncio.sleep(0.001)
    info = {"t_paint": first_paint[0], "t_idle": await refreshed(app.screen)}
    if kind == "mockinterview":
        while not app.screen.loaded:
            await asyncio.sleep(0.001)
        info["t_filled"] = await refreshed(app.screen)
    else:
        info["t_filled"] = info["t_idle"]
    info.update(openai_loaded="openai" in sys.modules, modules=len(sys.modules))
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
    for key in ("paint", "idle", "filled"):
        info[f"{key}_ms"] = (info[f"t_{key}"] - t0) * 1000
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

    print(
        f"process start -> first screen painted / idle / filled, headless 80x24, median of {args.runs} runs (ms)"
    )
    print(f"{'app':<16}{'painted':>9}{'idle':>9}{'filled':>9}{'idle min':>10}{'idle max':>10}")
    for kind in kinds:
        idle = [r["idle_ms"] for r in runs[kind]]
        print(
            f"{kind:<16}{med(kind, 'paint_ms'):>9.0f}{med(kind, 'idle_ms'):>9.0f}{med(kind, 'filled_ms'):>9.0f}"
            f"{min(idle):>10.0f}{max(idle):>10.0f}"
        )
    for other in ("bare", "same-widgets"):
        ratios = ", ".join(
            f"{key} {med('mockinterview', f'{key}_ms') / med(other, f'{key}_ms'):.2f}x"
            for key in ("paint", "idle")
        )
        filled = med("mockinterview", "filled_ms") / med(other, "idle_ms")
        print(f"mockinterview vs {other}: {ratios}, form filled {filled:.2f}x its idle")
    last = runs["mockinterview"][-1]
    print(
        f"openai SDK imported by then: {last['openai_loaded']}; modules: {last['modules']} "
        f"(bare app {runs['bare'][-1]['modules']})"
    )


if __name__ == "__main__":
    main()
