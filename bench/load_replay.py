"""Regrade N saved transcripts with ``mockinterview replay --model stub``; print time and peak memory.

A few real sessions are recorded first (stub interviewer and grader, four rounds, answers from
the labelled dev set), then copied under fresh session ids until there are N transcript files.
One ``replay`` process regrades them all; its peak RSS comes from
``os.wait4`` (that process's own ru_maxrss). Two sizes are run (smaller first) to show whether memory
grows with N.

    .venv/bin/python bench/load_replay.py [--transcripts 10000] [--also 1000] [--templates 12]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from _measure import ROOT, answer_every_question, run_measured  # bench/ is on sys.path when run as a script


async def record_templates(directory: Path, count: int) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from mockinterview.engine.session import InterviewConfig, InterviewSession

    paths = []
    for seed in range(count):
        session = await InterviewSession.create(
            InterviewConfig(seed=seed, track_time=False, max_follow_ups=1), sessions_dir=directory
        )
        await session.begin()
        await answer_every_question(session, offset=seed)
        paths.append(session.path)
    return paths


def clone(templates: list[Path], directory: Path, n: int) -> list[Path]:
    """N transcript files: the templates copied round-robin under new session ids."""
    blobs = [json.loads(p.read_text(encoding="utf-8")) for p in templates]
    out = []
    for i in range(n):
        data = blobs[i % len(blobs)]
        session_id = f"20260101-000000-{i:06d}"
        data["meta"]["id"] = session_id
        path = directory / f"{session_id}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        out.append(path)
    return out


def run_once(templates: list[Path], n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="mi-replay-") as tmp:
        paths = clone(templates, Path(tmp), n)
        results = Path(tmp) / "replay.json"
        cmd = [sys.executable, "-m", "mockinterview", "replay", "--model", "stub", "--format", "json"]
        with results.open("wb") as out:
            code, elapsed, peak_kb = run_measured([*cmd, *map(str, paths)], out)
        report = json.loads(results.read_text(encoding="utf-8"))
    answers = sum(r["answers"] for r in report)
    return {
        "transcripts": n,
        "exit": code,
        "answers": answers,
        "identical": sum(r["identical"] for r in report),
        "misses": sum(r["misses"] for r in report),
        "seconds": elapsed,
        "peak_rss_mb": peak_kb / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=10_000)
    parser.add_argument(
        "--also", type=int, default=1_000, help="a smaller run first, to compare memory (0: skip)"
    )
    parser.add_argument("--templates", type=int, default=12, help="distinct recorded sessions to copy")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mi-templates-") as tmp:
        started = time.perf_counter()
        templates = asyncio.run(record_templates(Path(tmp), args.templates))
        print(f"recorded {len(templates)} template sessions in {time.perf_counter() - started:.1f} s")
        for n in [x for x in (args.also, args.transcripts) if x]:
            r = run_once(templates, n)
            print(
                f"replay --model stub {r['transcripts']:>6} transcripts ({r['answers']} answers): "
                f"{r['seconds']:7.1f} s  {r['answers'] / r['seconds']:6.0f} answers/s  "
                f"peak RSS {r['peak_rss_mb']:6.1f} MB  identical {r['identical']}  misses {r['misses']}  exit {r['exit']}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
