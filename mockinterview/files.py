"""Reading a file someone else may have made: the one helper every reader of packs, config,
keymap, answers files and transcripts uses.

A question file that was a FIFO hung ``rubrics lint`` for ever; one symlinked to
``/dev/zero`` grew the process to 2.7 GB; ``--answers /dev/zero`` read without limit. A
size check on ``stat`` does not help (a FIFO and ``/dev/zero`` have size 0). Here the file is
opened without blocking (a FIFO with no writer does not hang the open), must be a regular
file once open (``fstat`` on the descriptor, so a swap after a check cannot fool it; a
symlink to a regular file is fine), and is read to at most ``max_bytes``, so a file that
grows while it is read is refused too.

Errors are OSErrors whose ``strerror`` is the one-line reason, so every caller's existing
"cannot read (reason)" handling reports them. Bottom layer: packs, storage, the engine and
the CLI all use it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotARegularFile(OSError):
    """The path is a FIFO, a device, a directory or a socket, not a file."""


class FileTooLarge(OSError):
    """The file holds more than the reader's cap."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"file is too large ({size:,} bytes; at most {limit:,})", str(path))
        self.size = size
        self.limit = limit


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_bytes(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path`` (at most ``max_bytes``), or an OSError:
    FileNotFoundError, NotARegularFile, FileTooLarge, PermissionError ..."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            code = errno.EISDIR if stat.S_ISDIR(st.st_mode) else errno.EINVAL
            if code == errno.EISDIR:
                raise IsADirectoryError(code, "is a directory, not a file", str(path))
            raise NotARegularFile(code, f"not a regular file ({_kind(st.st_mode)})", str(path))
        if st.st_size > max_bytes:
            raise FileTooLarge(Path(path), st.st_size, max_bytes)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # it grew while being read
                raise FileTooLarge(Path(path), total, max_bytes)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: str | os.PathLike[str], max_bytes: int, encoding: str = "utf-8") -> str:
    """``read_bytes`` decoded (UnicodeDecodeError when it is not ``encoding``)."""
    return read_bytes(path, max_bytes).decode(encoding)


def write_private(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` as a regular file only its owner can read (0600), also
    when it exists with another mode; a symlink is not followed and a FIFO or device is not
    written to (``export -o`` followed a symlink and kept an existing file's 0644)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "is a symbolic link; not followed", str(path)) from None
        if exc.errno == errno.ENXIO:  # a FIFO with no reader
            raise NotARegularFile(errno.EINVAL, "not a regular file (a FIFO)", str(path)) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(errno.EINVAL, f"not a regular file ({_kind(st.st_mode)})", str(path))
        os.fchmod(fd, 0o600)
        os.ftruncate(fd, 0)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    finally:
        os.close(fd)
