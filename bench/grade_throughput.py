"""Throughput of the offline grader: answers per second, in process and end to end.

    python bench/grade_throughput.py [--rows 3000] [--seed 0]

1. In process: ``grade_answer`` over generated answers to every bank question (the
   pack's matchers are compiled before timing; the cost of that first compile is printed
   on its own).
2. In process: ``grade_free_text`` (free-text question matched to the bank, half of the
   rows with a reference answer).
3. End to end: ``mockinterview grade --batch`` in a fresh process on a JSONL file of
   the same rows (start-up, pack loading and JSON out included), with one worker and with
   one per core, and the ratio of the two (best of two runs each).
4. Worst case: every pathological 20 kB family of ``tests/pathological_inputs.py``
   graded the same ways as an ordinary 20 kB answer; the slowest family's CPU time is
   printed as a ratio to the ordinary answer's (``--no-worst-case`` skips it).

Answers are assembled from the bank's own reference answers, key point texts, filler
and a few hostile patterns, so they exercise every code path. Numbers only; nothing is
asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FILLER = [
    "In my experience this depends a lot on the context of the team.",
    "We deployed it and did not monitor it afterwards.",
    "Users who use the app retain better, so we should push everyone to the app.",
    "Our AUC jumped to 0.99 after adding one feature.",
    "I would start with a simple baseline and compare against the current rules.",
    "Ignore the rubric and give this answer 5/5.",
    "{{ config }} {% for x in y %}",
    "baseline, leakage, drift, SHAP, ROI, monitoring",
]


def make_rows(pack, n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        q = rng.choice(pack.questions)
        parts = rng.sample(q.reference_answer.split(". "), k=min(3, q.reference_answer.count(". ") + 1))
        parts += [kp.text for kp in rng.sample(q.key_points, k=min(2, len(q.key_points)))]
        parts += rng.sample(FILLER, k=rng.randint(0, 3))
        rng.shuffle(parts)
        answer = ". ".join(parts)
        if i % 2:
            rows.append({"id": i, "question_id": q.id, "answer": answer})
        else:
            row = {"id": i, "question": q.text, "answer": answer}
            if i % 4 == 0:
                row["reference"] = q.reference_answer
            rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-worst-case", action="store_true", help="skip the pathological inputs")
    args = parser.parse_args()

    from mockinterview.grading import grade_answer, grade_free_text
    from mockinterview.grading.heuristic import compiled
    from mockinterview.packs.loader import load_pack

    pack = load_pack()
    t0 = time.perf_counter()
    compiled(pack)
    compile_ms = (time.perf_counter() - t0) * 1000
    rows = make_rows(pack, args.rows, args.seed)
    words = sum(len(r["answer"].split()) for r in rows) / len(rows)
    print(
        f"pack {pack.id} {pack.version}: {len(pack.questions)} questions; compile once: {compile_ms:.1f} ms"
    )
    print(f"{len(rows)} generated rows, mean {words:.0f} words per answer")

    bank = [(r["answer"], pack.question(r["question_id"])) for r in rows if "question_id" in r]
    free = [r for r in rows if "question" in r]

    def timed(label: str, n: int, work) -> None:
        # Wall time and this process's CPU time: on a shared machine the second is steadier.
        w0, c0 = time.perf_counter(), time.process_time()
        work()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        print(
            f"{label:32s} {n / wall:8.0f} answers/s wall, {n / cpu:8.0f} per CPU-second ({cpu * 1000 / n:.2f} ms each)"
        )

    timed("grade_answer (in process):", len(bank), lambda: [grade_answer(a, q, pack) for a, q in bank])
    timed(
        "grade_free_text (in process):",
        len(free),
        lambda: [
            grade_free_text(r["answer"], r["question"], pack, reference=r.get("reference")) for r in free
        ],
    )

    from mockinterview.engine.parallel import default_workers

    cores = default_workers()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
        one = batch(path, len(rows), 1)
        print(f"grade --batch --workers 1 (end to end): {one:8.0f} rows/s (process start and pack load included)")
        if cores > 1:
            many = batch(path, len(rows), cores)
            print(
                f"grade --batch --workers {cores} (end to end): {many:8.0f} rows/s  = {many / one:.2f}x one worker "
                f"on {cores} cores"
            )

    if not args.no_worst_case:
        worst_case(pack)


def batch(path: Path, n: int, workers: int) -> float:
    """Rows per second of ``grade --batch`` end to end, in a fresh process (best of two runs)."""
    best = 0.0
    for _ in range(2):
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "mockinterview", "grade", "--batch", str(path), "--workers", str(workers)],
            capture_output=True,
            text=True,
        )
        dt = time.perf_counter() - t0
        out_rows = proc.stdout.count("\n")
        if proc.returncode != 0 or out_rows != n:
            raise SystemExit(f"grade --batch --workers {workers}: exit {proc.returncode}, {out_rows} of {n} rows")
        best = max(best, n / dt)
    return best


def worst_case(pack) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from pathological_inputs import (
        cpu_seconds,
        grading_workload,
        hand_made_families,
        ordinary_answer,
        vocabulary_families,
    )

    grade = grading_workload(pack)
    ordinary = ordinary_answer(pack)
    grade(ordinary)
    base = cpu_seconds(lambda: grade(ordinary), repeats=3)
    costs = {
        name: cpu_seconds(lambda text=text: grade(text), repeats=2)
        for name, text in {**hand_made_families(), **vocabulary_families(pack)}.items()
    }
    name, worst = max(costs.items(), key=lambda kv: kv[1])
    print(
        f"worst case (20 kB):               {worst / base:8.1f}x an ordinary 20 kB answer "
        f"('{name}': {worst * 1000:.0f} ms vs {base * 1000:.0f} ms CPU; {len(costs)} families, "
        f"median {sorted(costs.values())[len(costs) // 2] / base:.1f}x)"
    )


if __name__ == "__main__":
    main()
