"""A synchronous SQLite connection whose transactions run whole on a worker thread."""

from collections.abc import Callable
from contextlib import suppress
from typing import TypeVar

import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL

from anomaly.adapters.sql.engine import sqlite_pragmas
from anomaly.adapters.sql.errors import commit_errors

T = TypeVar("T")


class WorkerConnection:
    """Through aiosqlite, each statement of a transaction is a trip to its thread and back, and the
    way back waits for a busy event loop, all while the database's single write lock is held: with
    a few steps per fit, under load the lock was held several times longer than SQLite needed.
    Here the whole transaction runs in one trip, so the lock is held for SQLite's own work.

    One connection: writers of a process take turns (see WriterTurns), and a writer keeps its turn
    until its transaction has ended on the thread, so it is never shared.
    """

    def __init__(self, url: URL, timeout_seconds: float) -> None:
        self._engine = sa.create_engine(
            url.set(drivername="sqlite+pysqlite"),
            pool_size=1,
            max_overflow=0,
            pool_timeout=timeout_seconds,
            # Used from one worker thread after another, never from two at once.
            connect_args={"timeout": timeout_seconds, "check_same_thread": False},
        )
        event.listen(self._engine, "connect", sqlite_pragmas)

    async def run(self, work: Callable[[sa.Connection], T]) -> T:
        """`work` in a transaction of its own, committed when it returns, rolled back if it raises.

        A failure of the commit itself raises CommitOutcomeUnknown, unless SQLite refused it
        without writing (see `commit_errors`): it can report an I/O error after the transaction
        reached its log, and replays it when the file is next opened.
        """
        return await anyio.to_thread.run_sync(self._in_transaction, work)

    def _in_transaction(self, work: Callable[[sa.Connection], T]) -> T:
        with self._engine.connect() as connection:
            transaction = connection.begin()
            try:
                done = work(connection)
            except BaseException:
                transaction.rollback()
                raise
            try:
                with commit_errors():
                    transaction.commit()
            except BaseException:
                # A failed COMMIT can leave SQLite's transaction open, and the pool, told of a
                # commit, would not roll it back: the next transaction would carry it on.
                with suppress(Exception):
                    transaction.rollback()
                raise
            return done

    def dispose(self) -> None:
        self._engine.dispose()
