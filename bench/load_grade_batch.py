"""Grade N answers with ``mockinterview grade --batch`` and print time, throughput and peak memory.

Rows are written to a temp JSONL file (streamed, never held in memory): 80% bank questions by id,
15% free-text questions matched to the bank, 5% malformed rows; answers come from the labelled
dev set (tests/data/labelled_dev.jsonl), each with a row number appended so no two are equal.
The command runs as a subprocess; its peak RSS comes from ``os.wait4`` (that process's own ru_maxrss).
Running two sizes shows whether memory grows with N (it must not: the reader streams).

    .venv/bin/python bench/load_grade_batch.py [--rows 100000] [--also 10000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

from _measure import ROOT, dev_rows, run_measured  # bench/ is on sys.path when run as a script

MALFORMED = ['{"id": "bad", "answer": ', "not json", '{"id": 1}', "[1, 2, 3]"]


def write_rows(path: Path, n: int, seed: int = 0) -> None:
    dev = dev_rows()
    sys.path.insert(0, str(ROOT))
    from mockinterview.packs.loader import load_pack

    questions = {q.id: q.text for q in load_pack("data-scientist").questions}
    dev = [row for row in dev if row.get("question_id") in questions]
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            roll = rng.random()
            src = rng.choice(dev)
            answer = f"{src['answer']} ({i})"
            if roll < 0.80:
                row = {"id": i, "question_id": src["question_id"], "answer": answer}
            elif roll < 0.95:
                row = {"id": i, "question": questions[src["question_id"]], "answer": answer}
            else:
                out.write(rng.choice(MALFORMED) + "\n")
                continue
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def run_once(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="mi-batch-") as tmp:
        rows, results = Path(tmp) / "rows.jsonl", Path(tmp) / "out.jsonl"
        write_rows(rows, n)
        with results.open("wb") as out:
            code, elapsed, peak_kb = run_measured(
                [sys.executable, "-m", "mockinterview", "grade", "--batch", str(rows)], out
            )
        graded = errors = 0
        with results.open(encoding="utf-8") as fh:
            for line in fh:
                if '"error"' in line[:40] or json.loads(line).get("error"):
                    errors += 1
                else:
                    graded += 1
    return {
        "rows": n,
        "exit": code,
        "graded": graded,
        "errors": errors,
        "seconds": elapsed,
        "rows_per_s": n / elapsed,
        "peak_rss_mb": peak_kb / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--also", type=int, default=10_000, help="a smaller run first, to compare memory (0: skip)"
    )
    args = parser.parse_args(argv)
    for n in [x for x in (args.also, args.rows) if x]:
        r = run_once(n)
        print(
            f"grade --batch {r['rows']:>7} rows: {r['seconds']:7.1f} s  {r['rows_per_s']:7.0f} rows/s  "
            f"peak RSS {r['peak_rss_mb']:6.1f} MB  graded {r['graded']}  error rows {r['errors']}  exit {r['exit']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
