"""Shared by the load benchmarks: run one child process and measure exactly that child."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_measured(cmd: list[str], stdout) -> tuple[int, float, int]:
    """Run ``cmd``; its exit code, wall seconds and own peak RSS in kB (the rusage of exactly
    this child from os.wait4, not a maximum over every child this script has waited for)."""
    code, elapsed, usage = run_with_usage(cmd, stdout)
    return code, elapsed, usage.ru_maxrss


def run_with_usage(cmd: list[str], stdout) -> tuple[int, float, resource.struct_rusage]:
    """Run ``cmd``; its exit code, wall seconds and the rusage of exactly this child (CPU
    seconds are ``ru_utime + ru_stime``: on a shared machine they move less than wall time)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL, cwd=ROOT)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - started, usage


def dev_rows() -> list[dict]:
    """The rows of the dev labelled set (tests/data/labelled_dev.jsonl): realistic answers."""
    with (ROOT / "tests" / "data" / "labelled_dev.jsonl").open(encoding="utf-8") as rows:
        return [json.loads(line) for line in rows]


async def answer_every_question(session, offset: int = 0) -> None:
    """Answer each question ``session`` asks with a dev-set answer to that question (the
    ``offset``-th one, round-robin), until it stops asking."""
    by_question: dict[str, list[str]] = {}
    for row in dev_rows():
        if row.get("question_id"):
            by_question.setdefault(row["question_id"], []).append(row["answer"])
    n = 0
    while session.state == "awaiting-answer":
        options = by_question.get(session.current_question.id) or ["I would check the data first."]
        await session.submit_answer(options[(offset + n) % len(options)])
        n += 1
