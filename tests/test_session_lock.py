"""Two processes on one session (issue 10): a session is locked while it is open.

Before, two ``interview --resume ID`` at once both exited 0 "completed" and only one's
answers stayed on disk. Now the second is refused in one line naming the holder's PID, a
lock left by a killed process never blocks, and the TUI says the same."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mockinterview.storage.locks import SessionLock, SessionLocked, lock_path, read_owner

ANSWER = (
    "I would start from the business decision and a simple baseline, check how the data was collected, "
    "validate out of time, and monitor drift after deployment."
)


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(
        PYTHONUNBUFFERED="1",
        MOCKINTERVIEW_DATA_DIR=str(root / "data"),
        MOCKINTERVIEW_CONFIG_DIR=str(root / "config"),
    )
    return env


def _interview(*args: str) -> list[str]:
    return [sys.executable, "-m", "mockinterview", "interview", "--no-tui", *args]


def _sessions(root: Path) -> list[Path]:
    folder = root / "data" / "sessions"
    return sorted(p for p in folder.glob("*.json") if not p.name.startswith(".")) if folder.is_dir() else []


def _answers(path: Path) -> list[str]:
    return [t["text"] for t in json.loads(path.read_bytes())["turns"] if t["kind"] == "answer"]


def _wait(predicate, proc: subprocess.Popen, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            raise AssertionError(f"{what}: the holder exited early ({proc.returncode})")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: timed out")
        time.sleep(0.01)


def _interrupted_session(root: Path) -> str:
    """An in-progress session with one answer, left by a process that ended (made in this
    process, in the data dir the subprocesses use: conftest points it at ``root / "data"``)."""
    import asyncio

    from mockinterview.engine.session import InterviewConfig, InterviewSession

    async def make() -> Path:
        session = await InterviewSession.create(
            InterviewConfig(rounds=["basic"], questions_per_round=2, max_follow_ups=0)
        )
        await session.begin()
        await session.submit_answer(ANSWER)
        await session.close()
        return session.path

    path = asyncio.run(make())
    assert path.parent == root / "data" / "sessions"
    assert json.loads(path.read_bytes())["meta"]["status"] == "in-progress"
    return path.stem


def _holder(root: Path, session_id: str) -> subprocess.Popen:
    """A live ``interview --resume`` waiting for its next answer on a pipe."""
    return subprocess.Popen(
        _interview("--resume", session_id, "--answers", "-"),
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(root), text=True,
    )  # fmt: skip


def test_a_second_resume_of_an_open_session_is_refused_naming_the_holder(tmp_path, isolated_dirs, capsys):
    session_id = _interrupted_session(tmp_path)
    (path,) = _sessions(tmp_path)
    holder = _holder(tmp_path, session_id)
    try:
        _wait(lambda: read_owner(lock_path(path)).get("pid") == str(holder.pid), holder, "holder locks")
        second = subprocess.run(
            _interview("--resume", session_id, "--answers", "-"), input="Another answer.\n",
            capture_output=True, text=True, env=_env(tmp_path), timeout=120,
        )  # fmt: skip
        assert second.returncode == 1
        assert second.stderr.count("\n") == 1 and second.stderr.startswith("mockinterview: error:")
        assert f"session {session_id} is open in another interview (PID {holder.pid}" in second.stderr
        # history --delete does not pull the transcript from under the holder either
        from mockinterview.cli.main import main

        assert main(["history", "--delete", session_id]) == 2
        assert f"PID {holder.pid}" in capsys.readouterr().err and path.exists()
        holder.stdin.write(ANSWER + " Second.\n")
        holder.stdin.close()
        assert holder.wait(timeout=120) == 0, holder.stderr.read()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    answers = _answers(path)
    assert answers == [ANSWER, ANSWER + " Second."]  # the holder's answers, nothing lost
    assert json.loads(path.read_bytes())["meta"]["status"] == "completed"


def test_a_lock_left_by_a_killed_process_does_not_block(tmp_path, isolated_dirs):
    session_id = _interrupted_session(tmp_path)
    (path,) = _sessions(tmp_path)
    holder = _holder(tmp_path, session_id)
    _wait(lambda: read_owner(lock_path(path)).get("pid") == str(holder.pid), holder, "holder locks")
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert read_owner(lock_path(path))["pid"] == str(holder.pid)  # the dead owner's record stays
    done = subprocess.run(
        _interview("--resume", session_id, "--answers", "-"), input=ANSWER + " Again.\n",
        capture_output=True, text=True, env=_env(tmp_path), timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(path.read_bytes())["meta"]["status"] == "completed"


def test_a_hand_written_lock_file_with_a_dead_pid_is_recovered(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("{}")
    lock_path(path).write_text("pid=999999\nsince=yesterday\npurpose=interview\n")
    with SessionLock(path, "s") as lock:
        assert lock.held
        assert read_owner(lock_path(path))["pid"] == str(os.getpid())


def test_in_one_process_two_opens_of_one_session_conflict_and_close_releases(tmp_path):
    path = tmp_path / "s.json"
    first = SessionLock(path, "s").acquire()
    with pytest.raises(SessionLocked, match=rf"session s is open in another interview \(PID {os.getpid()}"):
        SessionLock(path, "s").acquire()
    first.release()
    SessionLock(path, "s").acquire().release()
    assert oct(lock_path(path).stat().st_mode & 0o777) == oct(0o600)


async def test_the_tui_says_who_holds_a_session_it_cannot_resume(tmp_path, isolated_dirs):
    from test_tui_flows import SIZE, app_for_test, wait_for

    from mockinterview.engine.session import InterviewConfig, InterviewSession
    from mockinterview.tui.screens.home import HomeScreen

    session = await InterviewSession.create(InterviewConfig(rounds=["basic"], questions_per_round=1))
    await session.begin()
    # session stays open: this process holds it, as another process would
    app = app_for_test(resume_path=session.path)
    notes: list[str] = []
    original = app.notify

    def notify(message, *args, **kwargs):
        notes.append(str(message))
        return original(message, *args, **kwargs)

    app.notify = notify
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: any("is open in another" in n for n in notes))
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
    assert any(f"session {session.path.stem} is open in another interview (PID {os.getpid()}" in n for n in notes)
    await session.close()


async def test_review_saves_and_discards_wait_for_the_interview_holding_the_session(isolated_dirs, capsys):
    from mockinterview.cli.main import main
    from mockinterview.engine.review import add_comment, save_review
    from mockinterview.engine.session import InterviewConfig, InterviewSession
    from mockinterview.storage.transcripts import load_transcript

    session = await InterviewSession.create(InterviewConfig(rounds=["basic"], questions_per_round=1))
    await session.begin()
    before = session.path.read_bytes()
    mentor_copy = load_transcript(session.path)  # a mentor opened it in review meanwhile
    add_comment(mentor_copy, 1, "Looks fine so far")
    with pytest.raises(SessionLocked, match=rf"open in another interview \(PID {os.getpid()}"):
        save_review(mentor_copy, session.path)
    assert main(["history", "--discard", session.path.stem]) == 2
    assert f"PID {os.getpid()}" in capsys.readouterr().err
    assert session.path.read_bytes() == before  # the interview's file, untouched by either

    await session.submit_answer(ANSWER)
    await session.end_session()  # finished: the lock goes, though the screen may stay open
    assert session.transcript.meta.status in ("completed", "ended-early")
    save_review(mentor_copy.model_copy(update={"turns": session.transcript.turns}), session.path)
    assert load_transcript(session.path).review.comments[0].text == "Looks fine so far"
    await session.close()
