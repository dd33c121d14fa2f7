"""Shared by the load benchmarks: run one child process and measure exactly that child."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_measured(cmd: list[str], stdout) -> tuple[int, float, int]:
    """Run ``cmd``; its exit code, wall seconds and own peak RSS in kB (the rusage of exactly
    this child from os.wait4, not a maximum over every child this script has waited for)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL, cwd=ROOT)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - started, usage.ru_maxrss
