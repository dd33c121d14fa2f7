"""The mentor's review screen on a long transcript: time to open it and to move the cursor,
against a bare Textual app opened the same way in the same run.

Builds a transcript of ``--turns`` turns (half of them graded answers), saves it, then opens
``create_app(review_path=...)`` headless at 120x40 and times app start -> the review painted
with its turns (transcript load, view building, layout, first paint), the time until every turn
is listed, then 40 cursor moves.
The baseline is a bare Textual app (header, one line of text, footer) from start to first
paint, interleaved with the review runs so machine load hits both alike.

    .venv/bin/python bench/tui_review.py [--turns 300] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

QUESTION = (
    "Let's talk about **imbalanced data**. Your fraud dataset has 0.3% positives.\n\n"
    "- Which metric would you report?\n- How would you pick a threshold?\n- What does the business lose on a false negative?"
)
ANSWER = (
    "I would look at precision and recall rather than accuracy, pick the threshold from the cost of a missed "
    "fraud versus a blocked customer, and validate on a later month so the estimate is honest."
)


def long_transcript(turn_count: int, directory: Path) -> Path:
    from mockinterview.domain.grade import Grade, KeyPointCoverage
    from mockinterview.domain.transcript import GradeRecord, SessionMeta, Transcript, Turn
    from mockinterview.storage.transcripts import save_transcript

    turns, grades = [], []
    for i in range(1, turn_count + 1, 2):
        turns.append(Turn(id=i, speaker="interviewer", kind="question", round="basic", text=QUESTION))
        turns.append(
            Turn(id=i + 1, speaker="candidate", kind="answer", round="basic", reply_to=i, text=ANSWER)
        )
        kps = [
            KeyPointCoverage(
                id="metric", text="Chooses precision/recall", covered=True, evidence="precision and recall"
            ),
            KeyPointCoverage(id="cost", text="Prices the errors", covered=False),
        ]
        grade = Grade(question_id=f"q{i}", score=3.2, key_points=kps, grader="stub")
        grades.append(GradeRecord(turn_id=i + 1, question_id=f"q{i}", round="basic", grade=grade))
    meta = SessionMeta(
        id="bench-review",
        pack_id="data-scientist",
        pack_version="1.0.0",
        pack_hash="",
        interviewer_model="stub",
        grader_model="stub",
        rounds=["basic"],
        questions_per_round=0,
    )
    return save_transcript(Transcript(meta=meta, turns=turns, grades=grades), directory / "long.json")


async def painted(screen) -> float:
    done = asyncio.get_running_loop().create_future()
    screen.call_after_refresh(lambda: done.done() or done.set_result(time.perf_counter()))
    return await done


async def open_bare() -> float:
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Bare(App):
        def compose(self):
            yield Header()
            yield Static("hello")
            yield Footer()

    start = time.perf_counter()
    app = Bare()
    async with app.run_test(size=(120, 40)):
        return await painted(app.screen) - start


async def open_review(path: Path, turn_count: int) -> tuple[float, float, list[float]]:
    from textual.widgets import OptionList

    from mockinterview.tui.app import create_app
    from mockinterview.tui.screens.review import ReviewScreen

    start = time.perf_counter()
    app = create_app(review_path=path, blink=False, keymap={})
    async with app.run_test(size=(120, 40)):
        while not (isinstance(app.screen, ReviewScreen) and app.screen.query_one(OptionList).option_count):
            await asyncio.sleep(0.002)
        opened = await painted(app.screen) - start
        options = app.screen.query_one(OptionList)
        while options.option_count < turn_count:  # the rest are listed after the first paint
            await asyncio.sleep(0.005)
        listed = time.perf_counter() - start
        moves = []
        for i in range(1, 41):
            before = time.perf_counter()
            options.highlighted = i
            moves.append((await painted(app.screen) - before) * 1000)
    return opened, listed, moves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MOCKINTERVIEW_DATA_DIR"] = f"{tmp}/data"
        os.environ["MOCKINTERVIEW_CONFIG_DIR"] = f"{tmp}/config"
        path = long_transcript(args.turns, Path(tmp))
        asyncio.run(open_bare())  # imports and OS caches warm for both
        asyncio.run(open_review(path, args.turns))
        bare, review, listing, moves = [], [], [], []
        for _ in range(args.runs):
            bare.append(asyncio.run(open_bare()))
            opened, listed, moved = asyncio.run(open_review(path, args.turns))
            review.append(opened)
            listing.append(listed)
            moves += moved
    b, r = statistics.median(bare) * 1000, statistics.median(review) * 1000
    print(f"mentor review of {args.turns} turns, 120x40, median of {args.runs} runs")
    print(
        f"  app start to the review painted: {r:.0f} ms (runs {', '.join(f'{x * 1000:.0f}' for x in review)}; "
        f"target <= 500 ms)"
    )
    print(f"  a bare Textual app, start to first paint: {b:.0f} ms -> review {r / b:.2f}x the bare app")
    print(
        f"  every turn listed (a batch per frame after the first paint): {statistics.median(listing) * 1000:.0f} ms"
    )
    print(
        f"  cursor move to repaint, once listed: median {statistics.median(moves):.1f} ms, max {max(moves):.1f} ms"
    )


if __name__ == "__main__":
    main()
