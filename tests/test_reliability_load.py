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
