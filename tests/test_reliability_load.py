"""Bounded memory under load, checked cheaply (the full-size runs are bench/load_*.py).

``grade --batch`` must stream: each row's result comes out before the next row is read, and
what one row leaves behind must not grow with the number of rows.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

QUESTION = "How do you handle class imbalance?"


def test_batch_answers_each_row_before_the_next_one_arrives():
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockinterview", "grade", "--batch", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        for i in range(3):
            proc.stdin.write(
                json.dumps({"id": i, "question": QUESTION, "answer": "Use class weights."}) + "\n"
            )
            proc.stdin.flush()
            line = proc.stdout.readline()  # would block forever if the reader waited for EOF
            assert json.loads(line)["id"] == i
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# Grades rows that each carry their own 100 kB reference answer and prints the memory still
# allocated afterwards (tracemalloc): memory a streaming grader keeps per row shows up here.
GROWTH_SCRIPT = textwrap.dedent(
    """
    import gc, sys, tracemalloc
    from mockinterview.grading import grade_free_text
    from mockinterview.packs.loader import load_pack

    pack = load_pack("data-scientist")
    base = "We compare the model against a baseline and monitor drift in production, checking data quality. "
    grade_free_text("warm up", "How would you evaluate a model?", pack, reference=base)
    tracemalloc.start()
    for i in range(int(sys.argv[1])):
        reference = f"variant {i} " + base * 1000
        grade_free_text("I would check a baseline.", f"How would you evaluate model {i}?", pack, reference=reference)
    gc.collect()
    print(tracemalloc.get_traced_memory()[0] / 1e6)
    """
)


def test_rows_with_their_own_reference_do_not_pile_up_in_memory():
    done = subprocess.run(
        [sys.executable, "-c", GROWTH_SCRIPT, "10"], capture_output=True, text=True, timeout=120, check=True
    )
    kept_mb = float(done.stdout.strip())
    print(f"\nmemory kept after grading 10 rows with distinct 100 kB references: {kept_mb:.1f} MB")
    assert kept_mb < 1.0  # 10 x 100 kB of input; a streaming grader keeps none of it


# Records one short stub session, copies it N times and prints the peak memory traced while
# `replay --format json` regrades 20 copies, then 100: a streaming replay peaks the same for both.
REPLAY_PEAK_SCRIPT = textwrap.dedent(
    """
    import asyncio, contextlib, json, os, sys, tracemalloc
    from pathlib import Path
    from mockinterview.cli.main import main
    from mockinterview.engine.session import InterviewConfig, InterviewSession

    async def record(directory):
        config = InterviewConfig(rounds=["basic"], questions_per_round=2, max_follow_ups=0, track_time=False)
        session = await InterviewSession.create(config, sessions_dir=directory)
        await session.begin()
        while session.state == "awaiting-answer":
            await session.submit_answer("I would check the data quality, compare with a baseline, monitor drift.")
        return session.path

    directory = Path(sys.argv[1])
    template = json.loads(asyncio.run(record(directory)).read_text())
    paths = []
    for i in range(100):
        template["meta"]["id"] = f"20260101-000000-{i:06d}"
        path = directory / f"{template['meta']['id']}.json"
        path.write_text(json.dumps(template))
        paths.append(str(path))
    peaks = []
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        main(["replay", paths[0]])  # warm every cache first
        tracemalloc.start()
        for n in (20, 100):
            tracemalloc.reset_peak()
            main(["replay", "--format", "json", *paths[:n]])
            peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
    print(*peaks)
    """
)


def test_replay_memory_does_not_grow_with_the_number_of_transcripts(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", REPLAY_PEAK_SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    few, many = (float(x) for x in done.stdout.split())
    print(f"\nreplay peak traced memory: 20 transcripts {few:.2f} MB, 100 transcripts {many:.2f} MB")
    # 80 more transcripts (~20 kB each): a streaming replay keeps none of them. What grows is
    # the argument list itself (~1 kB per path with argparse's copies), so allow 0.1 MB.
    assert many - few < 0.1
