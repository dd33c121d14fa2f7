"""One process per session: a session is locked while it is open.

Two ``interview --resume ID`` at once both used to finish "completed" while only one's
answers stayed on disk (each saved its own copy over the other's). A session is now
locked from the moment it is created or resumed until it is closed.

The lock is ``filelock.FileLock`` on ``.<transcript name>.lock`` beside the transcript: an
``flock`` that the kernel drops when its process ends, however it ends (``kill -9``, a
power cut), so a lock left by a dead process never blocks anyone - the stale-lock recovery
needs no PID guessing and has no window where two processes both decide the owner is
dead. The holder writes its PID, its start time and what it runs into the file, so the
one refused can say who holds it.
"""

from __future__ import annotations

import contextlib
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from mockinterview.errors import OneLineError

LOCK_SUFFIX = ".lock"
_MAX_OWNER_BYTES = 4096


class SessionLocked(OneLineError):
    """Another live process has the session open. ``str(exc)`` is one line naming it."""

    def __init__(self, message: str, pid: int | None) -> None:
        super().__init__(message, exit_code=1)
        self.pid = pid


def lock_path(transcript_path: Path) -> Path:
    """``.<name>.lock`` beside the transcript: hidden, and never matched by ``*.json``."""
    transcript_path = Path(transcript_path)
    return transcript_path.with_name(f".{transcript_path.name}{LOCK_SUFFIX}")


def _owner_record(purpose: str) -> bytes:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"pid={os.getpid()}\nhost={socket.gethostname()}\nsince={now}\npurpose={purpose}\n".encode()


def read_owner(path: Path) -> dict[str, str]:
    """The holder's record (``pid``, ``host``, ``since``, ``purpose``); {} when unreadable."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return {}
    try:
        raw = os.read(fd, _MAX_OWNER_BYTES)
    except OSError:
        return {}
    finally:
        os.close(fd)
    fields: dict[str, str] = {}
    for line in raw.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition("=")
        if sep and key in ("pid", "host", "since", "purpose"):
            fields[key] = "".join(ch for ch in value if ch.isprintable())[:80]
    return fields


def load_lock_library() -> None:
    """Import the file-lock library now rather than at the first ``acquire``."""
    import filelock  # noqa: F401  (acquire imports it: transcripts need it only to lock)


class SessionLock:
    """The lock of one session's transcript. ``acquire`` raises SessionLocked when a live
    process holds it; ``release`` is idempotent."""

    def __init__(self, transcript_path: Path, session_id: str, purpose: str = "interview") -> None:
        self.path = lock_path(transcript_path)
        self.session_id = session_id
        self.purpose = purpose
        self._lock = None  # the filelock.FileLock while held

    def acquire(self) -> SessionLock:
        import filelock  # here: transcripts (imported by every command) need it only to lock

        record = _owner_record(self.purpose)

        def write_owner(fd: int) -> None:
            os.ftruncate(fd, 0)
            os.pwrite(fd, record, 0)

        lock = filelock.FileLock(
            self.path,
            timeout=0,
            mode=0o600,
            thread_local=False,
            fallback_to_soft=False,
            on_acquired=write_owner,
        )
        try:
            lock.acquire()
        except filelock.Timeout:
            raise self._locked_error() from None
        except (OSError, NotImplementedError):
            # No lock possible here (a read-only or lock-less file system): go on unlocked.
            # A read-only dir is then reported by the first save, with its own message.
            return self
        self._lock = lock
        return self

    def _locked_error(self) -> SessionLocked:
        owner = read_owner(self.path)
        pid = int(owner["pid"]) if owner.get("pid", "").isdigit() else None
        who = f"PID {pid}" if pid is not None else "another process"
        if owner.get("host") and owner["host"] != socket.gethostname():
            who += f" on {owner['host']}"
        since = f", since {owner['since']}" if owner.get("since") else ""
        what = owner.get("purpose") or "mockinterview"
        return SessionLocked(
            f"session {self.session_id} is open in another {what} ({who}{since}); "
            "finish or quit it there first",
            pid,
        )

    def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            with contextlib.suppress(OSError):
                lock.release(force=True)

    @property
    def held(self) -> bool:
        return self._lock is not None and self._lock.is_locked

    def __enter__(self) -> SessionLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def is_locked_by_another(transcript_path: Path) -> SessionLocked | None:
    """The SessionLocked error if a live process holds this session, else None (probing
    takes and drops the lock at once)."""
    probe = SessionLock(transcript_path, Path(transcript_path).stem, "probe")
    try:
        probe.acquire()
    except SessionLocked as exc:
        return exc
    probe.release()
    return None
