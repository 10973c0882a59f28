"""SQLite's writers take turns: on an asyncio lock within a process, on a file lock across processes."""

import asyncio
import fcntl
import os
from pathlib import Path

from anomaly.ports.errors import DatabaseUnavailable


class WriterTurns:
    """One writer at a time, each woken the moment its turn comes.

    SQLite admits one writer and makes the others sleep and poll (its busy timeout sleeps 1, 2, 5,
    10 ... 100 ms between tries), so under load a waiting process keeps missing the moments the
    lock is free while the other process takes it again. Writers of this process queue on an
    asyncio lock; the process holding it then waits for the others on `flock` of a file beside the
    database, which the kernel hands over in the same instant it is released.
    """

    def __init__(self, lock_file: Path | None) -> None:
        self._local = asyncio.Lock()
        self._lock_file = lock_file
        self._descriptor: int | None = None

    async def take(self, timeout_seconds: float) -> None:
        try:
            async with asyncio.timeout(timeout_seconds):
                await self._local.acquire()
                try:
                    if self._lock_file is not None:
                        self._descriptor = await _lock(self._lock_file)
                except BaseException:
                    self._local.release()
                    raise
        except TimeoutError:
            raise DatabaseUnavailable(
                f"database busy: no turn to write within {timeout_seconds:g} s"
            ) from None

    def give_back(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing the file releases its lock
            self._descriptor = None
        self._local.release()


async def _lock(path: Path) -> int:
    # A descriptor of its own per turn: flock locks belong to the open file, so two turns of this
    # process must not share one.
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return descriptor  # free: no thread needed
    except BlockingIOError:
        pass
    except BaseException:
        os.close(descriptor)
        raise
    waiting = asyncio.get_running_loop().run_in_executor(None, fcntl.flock, descriptor, fcntl.LOCK_EX)
    try:
        await asyncio.shield(waiting)
    except BaseException:
        # Given up (timeout, cancellation): the thread still waits, and lets go as soon as it is served.
        waiting.add_done_callback(lambda _: os.close(descriptor))
        raise
    return descriptor


def lock_file_for(database: str | None) -> Path | None:
    """The lock file beside a SQLite database file; None for an in-memory database (one process)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(f"{database}.write-lock")
