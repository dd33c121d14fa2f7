"""Work through a stream on several processes, with results in input order and bounded memory.

Used by ``grade --batch --workers N``. The worker processes start first, forked from this
process once it holds everything they need (the pack, loaded and compiled once) and before
it starts any thread; on platforms without a safe ``fork`` they start from a forkserver and
set themselves up once each (``initializer``). Then a reader thread pulls items from the
input (it may block on a pipe) into a bounded inbox, and the main thread hands chunks of
them to the workers and writes each result as soon as it and everything before it are done.

Memory stays bounded whatever the input's length: at most ``READ_AHEAD`` items (and
``READ_AHEAD_BYTES`` of them) wait in the inbox, and ``2 x workers`` chunks of at most
``CHUNK_ITEMS`` items / ``CHUNK_BYTES`` are in flight. An item is sent as soon as it is read,
so an interactive stream (one row, wait for its answer, the next row) still gets each answer
before it sends the next row.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

READ_AHEAD = 256  # items read ahead of the workers
READ_AHEAD_BYTES = 8_000_000  # ... or this much of their weight, whichever comes first
CHUNK_ITEMS = 16  # items per task sent to a worker
CHUNK_BYTES = 256_000


def default_workers() -> int:
    """Every core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass
class Raised:
    """An exception raised while handling one item in a worker: re-raised here, in order."""

    error: BaseException


def run_chunk(handle: Callable[[Any], Any], chunk: list[Any]) -> list[Any]:
    """Handle a chunk in a worker; an exception stops the chunk where it happened."""
    out: list[Any] = []
    for item in chunk:
        try:
            out.append(handle(item))
        except Exception as exc:  # noqa: BLE001 - handed back, re-raised in order by the parent
            out.append(Raised(exc))
            break
    return out


class _Inbox(Generic[T]):
    """Items read by the reader thread, bounded in count and weight."""

    def __init__(self, weight: Callable[[T], int]) -> None:
        self.items: deque[T] = deque()
        self.weight = weight
        self.held = 0
        self.done = False
        self.error: BaseException | None = None
        self.changed = threading.Condition()

    def fill(self, source: Iterable[T]) -> None:
        try:
            for item in source:
                w = self.weight(item)
                with self.changed:
                    self.changed.wait_for(lambda w=w: self._room_for(w))
                    self.items.append(item)
                    self.held += w
                    self.changed.notify_all()
        except BaseException as exc:  # noqa: BLE001 - the main thread re-raises it
            self.error = exc
        finally:
            with self.changed:
                self.done = True
                self.changed.notify_all()

    def _room_for(self, w: int) -> bool:
        return len(self.items) < READ_AHEAD and (not self.items or self.held + w <= READ_AHEAD_BYTES)

    def chunk(self) -> list[T]:
        """Up to CHUNK_ITEMS items (CHUNK_BYTES of weight) from the front; call holding ``changed``."""
        out: list[T] = []
        size = 0
        while self.items and len(out) < CHUNK_ITEMS and (not out or size < CHUNK_BYTES):
            item = self.items.popleft()
            w = self.weight(item)
            self.held -= w
            size += w
            out.append(item)
        if out:
            self.changed.notify_all()
        return out


def stream_in_order(
    items: Iterable[T],
    *,
    local: Callable[[T], R],
    remote: Callable[[list[T]], list[R]],
    emit: Callable[[R], None],
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
    weight: Callable[[T], int] = lambda _item: 1,
) -> None:
    """``emit(result)`` for every item, in input order: by ``local`` in this process when
    ``workers`` is 1, else in chunks by ``remote`` (a module-level function, so it can be
    pickled) on ``workers`` processes set up by ``initializer(*initargs)``."""
    if workers <= 1:
        for item in items:
            emit(local(item))
        return
    pool = _start_pool(workers, initializer, initargs)  # before any thread of ours exists
    inbox: _Inbox[T] = _Inbox(weight)
    pending: deque[Future] = deque()
    window = 2 * workers

    def wake(_future: Future) -> None:
        with inbox.changed:
            inbox.changed.notify_all()

    reader = threading.Thread(target=inbox.fill, args=(items,), name="batch-reader", daemon=True)
    reader.start()
    try:
        while True:
            with inbox.changed:
                inbox.changed.wait_for(
                    lambda: (
                        (inbox.items and len(pending) < window)
                        or (inbox.done and not inbox.items)
                        or bool(pending and pending[0].done())
                    )
                )
                chunks = []
                while inbox.items and len(pending) + len(chunks) < window:
                    chunks.append(inbox.chunk())
                finished = inbox.done and not inbox.items
            for chunk in chunks:
                future = pool.submit(remote, chunk)
                future.add_done_callback(wake)
                pending.append(future)
            while pending and pending[0].done():
                for result in pending.popleft().result():
                    if isinstance(result, Raised):
                        raise result.error
                    emit(result)
            if finished and not pending:
                if inbox.error is not None:
                    raise inbox.error
                return
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_pool(workers: int, initializer, initargs: tuple) -> ProcessPoolExecutor:
    # fork (Linux): workers inherit the loaded, compiled pack; they start at once and the
    # process has no thread of ours yet. Elsewhere, a forkserver that has already imported
    # the grader; each worker then sets itself up once.
    if sys.platform.startswith("linux"):
        context = multiprocessing.get_context("fork")
    elif "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["mockinterview.grading"])
    else:
        context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=initializer, initargs=initargs
    )
    # Start every worker now (a fork pool starts them all at its first task).
    pool.submit(int).result()
    return pool
