"""One long transcript: ``export`` (Markdown and HTML), ``replay --model stub`` and opening the
review screen must grow linearly with its size, and export and opening the review take at most
2 s at 28 MB.

A real session is recorded (stub interviewer and grader, every round, answers from the labelled
dev set), then its turns, grades and model calls are repeated under new ids until the file is
``--mb`` megabytes (28 by default: the size that took 20 s to export, 222 s to replay and 99 s to
open in review on efe4e1f). The same is done at ``--mb / --ratio`` as the baseline, in the same
run. Each step runs in its own process (``export``, ``replay``) or in-process headless Textual
(review: app start until the first turns are listed, and until every turn is), and the script
prints wall and CPU seconds and the ratio big / small next to the size ratio: a ratio near the
size ratio is linear, one near its square is quadratic. CPU seconds (the child's user + system
time) move less than wall time when the machine is shared; the load average is printed per step.

    .venv/bin/python bench/load_long_transcript.py [--mb 28] [--ratio 8] [--steps export,html,replay,review]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _measure import ROOT, answer_every_question, run_with_usage  # bench/ is on sys.path when run as a script


async def record_template(directory: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from mockinterview.engine.session import InterviewConfig, InterviewSession

    session = await InterviewSession.create(
        InterviewConfig(seed=3, track_time=False, max_follow_ups=1), sessions_dir=directory
    )
    await session.begin()
    await answer_every_question(session)
    return json.loads(session.path.read_text(encoding="utf-8"))


def long_transcript(template: dict, megabytes: float, path: Path) -> dict:
    """``template``'s turns and grades repeated under new ids up to ``megabytes``. Its model
    calls (85% of a session's bytes: each request carries the conversation) are kept once, so
    the size is in turns and grades, where per-turn work shows."""
    one = len(json.dumps({**template, "model_calls": []}))
    copies = max(1, round(megabytes * 1_000_000 / one))
    last_turn = max(t["id"] for t in template["turns"])
    doc = {**template, "turns": [], "grades": []}
    for c in range(copies):
        offset = c * last_turn

        def call_ids(ids: list[str], c: int = c) -> list[str]:
            return ids if c == 0 else []

        for t in template["turns"]:
            doc["turns"].append(
                {
                    **t,
                    "id": t["id"] + offset,
                    "reply_to": None if t.get("reply_to") is None else t["reply_to"] + offset,
                    "model_call_ids": call_ids(t.get("model_call_ids", [])),
                }
            )
        for g in template["grades"]:
            doc["grades"].append(
                {
                    **g,
                    "turn_id": g["turn_id"] + offset,
                    "model_call_ids": call_ids(g.get("model_call_ids", [])),
                }
            )
    doc["meta"] = {**template["meta"], "id": path.stem}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    return {"turns": len(doc["turns"]), "grades": len(doc["grades"]), "mb": path.stat().st_size / 1e6}


def time_command(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``python -m mockinterview ARGS`` in its own process."""
    code, elapsed, usage = run_with_usage([sys.executable, "-m", "mockinterview", *args], subprocess.DEVNULL)
    assert code in (0, 1), f"{args[0]} exited {code}"  # replay exits 1 when a grade differs
    return elapsed, usage.ru_utime + usage.ru_stime


STEPS = {  # step -> what it runs, the transcript's path last
    "export": ("export --format md", ["export", "--format", "md"]),
    "html": ("export --format html", ["export", "--format", "html"]),
    "replay": ("replay --model stub", ["replay", "--model", "stub", "--format", "json"]),
}


def time_review(path: Path, turns: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """In a fresh process: app start until the review screen shows its first turns (what
    the mentor waits for), and until every turn is listed (the rest come a batch a frame);
    wall and CPU seconds of each."""
    script = REVIEW_SCRIPT.replace("PATH", repr(str(path))).replace("TURNS", str(turns))
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=3600
    )
    first, first_cpu, listed, listed_cpu = map(float, out.stdout.strip().splitlines()[-1].split())
    return (first, first_cpu), (listed, listed_cpu)


REVIEW_SCRIPT = """
import asyncio, time
from pathlib import Path
started = time.perf_counter()
from textual.widgets import OptionList
from mockinterview.tui.app import create_app
from mockinterview.tui.screens.review import ReviewScreen

async def run():
    app = create_app(review_path=Path(PATH))
    first = None
    async with app.run_test(size=(120, 40)) as pilot:
        while True:
            await pilot.pause(0.02)
            screen = app.screen
            if not isinstance(screen, ReviewScreen) or not screen.is_mounted:
                continue
            count = screen.query_one(OptionList).option_count
            if count and first is None:
                first = (time.perf_counter() - started, time.process_time())
            if count >= TURNS:
                break
    print(*first, time.perf_counter() - started, time.process_time())

asyncio.run(run())
"""


def load_average() -> str:
    return "load average " + " ".join(f"{v:.1f}" for v in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=28.0, help="size of the long transcript")
    parser.add_argument("--ratio", type=float, default=8.0, help="the baseline is --mb / --ratio")
    parser.add_argument("--steps", default="export,html,replay,review", help="of export, html, replay, review")
    args = parser.parse_args(argv)
    steps = args.steps.split(",")
    unknown = [s for s in steps if s not in (*STEPS, "review")]
    if unknown:
        parser.error(f"unknown step {unknown[0]!r} (use {', '.join([*STEPS, 'review'])})")
    with tempfile.TemporaryDirectory(prefix="mi-long-") as tmp:
        tmp_path = Path(tmp)
        started = time.perf_counter()
        template = asyncio.run(record_template(tmp_path / "template"))
        print(f"recorded a template session in {time.perf_counter() - started:.1f} s")
        sizes = {}
        for name, mb in (("small", args.mb / args.ratio), ("big", args.mb)):
            path = tmp_path / f"20260101-000000-{name}.json"
            sizes[name] = (path, long_transcript(template, mb, path))
            info = sizes[name][1]
            print(f"{name}: {info['mb']:.1f} MB, {info['turns']} turns, {info['grades']} grades")
        size_ratio = sizes["big"][1]["mb"] / sizes["small"][1]["mb"]
        print(f"size ratio {size_ratio:.1f} (quadratic would be {size_ratio ** 2:.0f}); seconds wall / CPU")
        for step in steps:
            before = load_average()
            rows: dict[str, dict[str, tuple[float, float]]] = {}
            for name, (path, info) in sizes.items():
                if step == "review":
                    first, listed = time_review(path, info["turns"])
                    rows.setdefault("review: first turns shown", {})[name] = first
                    rows.setdefault("review: every turn listed", {})[name] = listed
                else:
                    label, command = STEPS[step]
                    rows.setdefault(label, {})[name] = time_command([*command, str(path)])
            for label, secs in rows.items():
                (small, small_cpu), (big, big_cpu) = secs["small"], secs["big"]
                print(
                    f"{label:26} small {small:6.2f} / {small_cpu:6.2f}  big {big:6.2f} / {big_cpu:6.2f}  "
                    f"ratio {big / small:4.1f} / {big_cpu / small_cpu:4.1f}  ({before}; after: {load_average()[13:]})",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
