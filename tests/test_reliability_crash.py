"""Crash safety: real processes killed with SIGKILL, and storage that fails under the session.

The kill trials are the ones ``bench/crash_kill.py`` runs by the hundred; CI runs a handful at
fixed points (k answers confirmed on disk, then one more sent and the kill after a delay).
"""

from __future__ import annotations

import errno
import importlib.util
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mockinterview.engine.session import InterviewConfig, InterviewSession
from mockinterview.storage.transcripts import load_transcript, save_transcript

ROOT = Path(__file__).resolve().parents[1]


def _load_bench(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


crash_kill = _load_bench("crash_kill")


@pytest.mark.parametrize(
    ("k", "delay_ms"),
    [(0, 0.0), (1, 5.0), (3, 40.0)],
    ids=["before-first-answer", "mid-second", "mid-fourth"],
)
def test_sigkill_at_varied_points_loses_no_answer_and_resumes(tmp_path, k, delay_ms):
    trial = crash_kill.run_trial(tmp_path, random.Random(k), k=k, delay_ms=delay_ms)
    print(f"kill after {k} answers (+{delay_ms} ms): {trial.on_disk} on disk; problems: {trial.problems}")
    assert trial.problems == []
    assert trial.ok
    assert trial.on_disk in (k, k + 1)


@pytest.mark.skipif(crash_kill.TMUX is None, reason="tmux is not installed (apt-get install tmux)")
def test_sigkill_of_the_tui_mid_answer_loses_nothing_and_resumes(tmp_path):
    trial = crash_kill.run_tui_trial(tmp_path, random.Random(0), k=1, delay_ms=20.0)
    print(f"TUI kill after 1 answer (+20 ms): {trial.on_disk} on disk; problems: {trial.problems}")
    assert trial.problems == []
    assert trial.ok and trial.on_disk in (1, 2)


# -- storage that fails -------------------------------------------------------------------------

ANSWERS = "I would check how the data was collected first.\n---\nA second answer about baselines.\n"


def _headless(tmp_path: Path, data_dir: Path, *, preamble: str = "") -> subprocess.CompletedProcess:
    """A headless interview in a subprocess; ``preamble`` runs first (e.g. resource limits)."""
    answers = tmp_path / "answers.txt"
    answers.write_text(ANSWERS, encoding="utf-8")
    script = textwrap.dedent(preamble) + textwrap.dedent(
        f"""
        import sys
        from mockinterview.cli.main import main
        sys.exit(main(["interview", "--no-tui", "--answers", {str(answers)!r},
                       "--rounds", "basic", "--questions", "2", "--max-follow-ups", "0"]))
        """
    )
    env = {**os.environ, "MOCKINTERVIEW_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )


def _one_clear_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("mockinterview: error: ")
    return lines[0]


def test_data_dir_that_cannot_be_created_is_one_clear_line(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    done = _headless(tmp_path, blocker / "data")
    assert done.returncode != 0
    line = _one_clear_line(done.stderr)
    assert str(blocker / "data") in line


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs Linux sysfs")
def test_data_dir_where_permission_is_denied_is_one_clear_line(tmp_path):
    # sysfs refuses mkdir even to root: a permission error without chmod tricks.
    target = Path("/sys/mockinterview-reliability-test/data")
    done = _headless(tmp_path, target)
    assert done.returncode != 0
    line = _one_clear_line(done.stderr)
    assert "/sys/mockinterview-reliability-test" in line and "not permitted" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_sessions_dir_is_one_clear_line(tmp_path):
    sessions = tmp_path / "data" / "sessions"
    sessions.mkdir(parents=True, mode=0o700)
    sessions.chmod(0o500)
    try:
        done = _headless(tmp_path, tmp_path / "data")
    finally:
        sessions.chmod(0o700)
    assert done.returncode != 0
    _one_clear_line(done.stderr)


# RLIMIT_FSIZE makes any write past 12 kB fail with EFBIG, like a disk filling up mid-session.
DISK_FULL = """
import resource, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (12_000, 12_000))
"""


def test_disk_full_mid_session_keeps_the_last_good_transcript(tmp_path):
    data = tmp_path / "data"
    done = _headless(tmp_path, data, preamble=DISK_FULL)
    assert done.returncode != 0
    _one_clear_line(done.stderr)
    (path,) = (data / "sessions").glob("*.json")
    t = load_transcript(path)  # the last complete save, not a torn file
    assert t.meta.status == "in-progress"
    assert not [p for p in (data / "sessions").iterdir() if p.name.endswith(".tmp")], "temp file left behind"


def test_disk_full_message_names_the_transcript_it_could_not_save(tmp_path):
    data = tmp_path / "data"
    done = _headless(tmp_path, data, preamble=DISK_FULL)
    (path,) = (data / "sessions").glob("*.json")
    assert str(path) in done.stderr or path.stem in done.stderr


async def test_a_failed_save_leaves_the_session_in_memory_to_save_elsewhere(tmp_path, monkeypatch):
    session = await InterviewSession.create(
        InterviewConfig(rounds=["basic"], questions_per_round=2, max_follow_ups=0, track_time=False),
        sessions_dir=tmp_path / "sessions",
    )
    await session.begin()
    before = load_transcript(session.path)

    import mockinterview.storage.transcripts as storage

    def disk_full(*_args, **_kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "replace", disk_full)
    with pytest.raises(OSError):
        await session.submit_answer("An answer typed while the disk was full.")
    monkeypatch.undo()

    assert load_transcript(session.path).turns == before.turns  # the old file is intact
    elsewhere = save_transcript(session.transcript, tmp_path / "elsewhere" / "rescued.json")
    rescued = load_transcript(elsewhere)
    assert [t.text for t in rescued.turns if t.kind == "answer"] == [
        "An answer typed while the disk was full."
    ]
    assert oct(elsewhere.stat().st_mode & 0o777) == "0o600"
