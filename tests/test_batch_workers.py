"""``grade --batch --workers N``: the same lines, in the same order, with bounded memory.

Several worker processes grade the rows; the output is exactly what one process writes (one
line per row, in input order, the same error lines and exit code), results still stream (a
row's answer comes out before the next row is sent), and no more than a bounded number of
rows is read ahead of the results, however long the input.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from mockinterview.engine import parallel
from mockinterview.packs.loader import load_pack

PACK = load_pack()


def _rows() -> list[str]:
    lines = []
    for i, q in enumerate(PACK.questions * 2):
        answer = q.reference_answer[: 60 + 37 * (i % 9)]
        if i % 3 == 0:
            lines.append(json.dumps({"id": i, "question_id": q.id, "answer": answer}))
        elif i % 3 == 1:
            lines.append(json.dumps({"id": f"f{i}", "question": q.text, "answer": answer}))
        else:
            lines.append(
                json.dumps({"id": i, "question": q.text, "answer": answer, "reference": q.reference_answer})
            )
        if i % 10 == 4:  # bad rows of every kind, between good ones
            lines += [
                "not json",
                "[1, 2]",
                json.dumps({"id": "u", "question_id": "no-such-id", "answer": "x"}),
            ]
            lines += [json.dumps({"id": "n", "question_id": q.id, "answer": 12}), ""]
    return lines


def _batch(tmp_path, workers: int, lines: list[str]) -> subprocess.CompletedProcess:
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mockinterview", "grade", "--matcher", "tfidf", "--batch", str(path)]
        + ["--workers", str(workers)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_several_workers_write_exactly_what_one_process_writes(tmp_path):
    lines = _rows()
    one, three = _batch(tmp_path, 1, lines), _batch(tmp_path, 3, lines)
    assert one.returncode == three.returncode == 1  # the bad rows fail, the batch goes on
    assert three.stdout == one.stdout
    assert three.stderr == one.stderr
    out = [json.loads(line) for line in three.stdout.splitlines()]
    assert len(out) == sum(1 for line in lines if line.strip())
    assert sum("error" in r for r in out) == 4 * sum(1 for line in lines if line == "not json")


def test_each_row_is_answered_before_the_next_one_is_sent_with_workers():
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockinterview", "grade", "--batch", "-", "--workers", "2"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        for i in range(4):
            row = {"id": i, "question_id": "overfitting", "answer": "Hold out a validation set."}
            proc.stdin.write(json.dumps(row) + "\n")
            proc.stdin.flush()
            assert json.loads(proc.stdout.readline())["id"] == i  # blocks forever if it waited for more
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_a_bad_worker_count_is_a_one_line_error(tmp_path, value):
    done = subprocess.run(
        [sys.executable, "-m", "mockinterview", "grade", "--batch", "-", "--workers", value],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--workers" in done.stderr and "Traceback" not in done.stderr


# --------------------------------------------------------------------------- the pool itself


def _slow_square(chunk: list[int]) -> list[int]:
    time.sleep(0.002 * len(chunk))
    return parallel.run_chunk(lambda n: n * n, chunk)


def _fails_at_seven(chunk: list[int]) -> list:
    def handle(n: int) -> int:
        if n == 7:
            raise ValueError("seven")
        return n

    return parallel.run_chunk(handle, chunk)


def test_results_come_in_order_and_reading_stays_a_bounded_way_ahead():
    read = 0
    ahead: list[int] = []
    out: list[int] = []

    def items():
        nonlocal read
        for n in range(3000):
            read += 1
            yield n

    def emit(result: int) -> None:
        out.append(result)
        ahead.append(read - len(out))

    parallel.stream_in_order(items(), local=lambda n: n * n, remote=_slow_square, emit=emit, workers=2)
    assert out == [n * n for n in range(3000)]
    bound = parallel.READ_AHEAD + 2 * 2 * parallel.CHUNK_ITEMS + 1
    assert max(ahead) <= bound  # never the whole input held at once


def test_an_error_in_a_worker_comes_out_after_the_results_before_it():
    out: list[int] = []
    with pytest.raises(ValueError, match="seven"):
        parallel.stream_in_order(
            range(40), local=lambda n: n, remote=_fails_at_seven, emit=out.append, workers=2
        )
    assert out == list(range(7))
