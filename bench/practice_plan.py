"""The practice plan over 30 recent sessions: the first read (every transcript parsed) and
the home screen's later reads (only a changed transcript is parsed again), each as a ratio
of listing the same sessions for history (``session_overview``, itself cached), in one run.

    .venv/bin/python bench/practice_plan.py [--sessions 30]

It writes real stub sessions (four rounds of two questions, weak answers) to a temp dir.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MOCKINTERVIEW_DATA_DIR"] = tmp
        from practice_sample import weak_session

        from mockinterview.engine import practice
        from mockinterview.engine.sessions import session_overview

        for seed in range(args.sessions):
            asyncio.run(weak_session(seed))
        directory = Path(tmp) / "sessions"
        session_overview(directory)  # warm its cache, as the home screen has

        def first() -> None:
            practice._DIGESTS.clear()
            practice.practice_plan(directory)

        listing = timed(lambda: session_overview(directory), 5)
        cold = timed(first, 3)
        warm = timed(lambda: practice.practice_plan(directory), 5)
        print(f"{args.sessions} sessions")
        print(f"history listing (cached)    {listing:8.1f} ms   1.0x")
        print(f"practice plan, first read   {cold:8.1f} ms   {cold / listing:6.1f}x")
        print(f"practice plan, again        {warm:8.1f} ms   {warm / listing:6.1f}x")


if __name__ == "__main__":
    main()
