"""Units of work on one pooled connection: reads in autocommit mode, writes in one transaction."""

import asyncio
import logging
from contextlib import suppress
from types import TracebackType
from typing import Any, Protocol, Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from anomaly.adapters.changed_series import ChangedSeries
from anomaly.adapters.sql.errors import commit_errors, database_errors
from anomaly.adapters.sql.idempotency_keys import SqlIdempotencyKeys
from anomaly.adapters.sql.versions import SqlVersions
from anomaly.ports.series_changes import SeriesChanges

logger = logging.getLogger(__name__)


class Turns(Protocol):
    """Whose turn it is to write, where the database admits one writer (see sqlite.WriterTurns)."""

    async def take(self, timeout_seconds: float) -> None: ...

    def give_back(self) -> None: ...


class SqlReadUnitOfWork:
    """Each read a single autocommit statement: one round trip, no BEGIN or ROLLBACK."""

    def __init__(self, autocommit: AsyncEngine) -> None:
        # `autocommit` hands out connections already in autocommit mode: setting it per connection
        # cost a trip through SQLAlchemy's greenlet bridge per unit of work.
        self._engine = autocommit
        self._connection: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        with database_errors("connecting"):
            self._connection = await self._engine.connect()
        # One object plays every role a read unit of work offers.
        self.rows = self.listings = self.references = SqlVersions(self._connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        await self._connection.close()


class SqlWriteUnitOfWork:
    """Takes its turn to write (SQLite: see WriterTurns) and begins its transaction on entry."""

    def __init__(
        self,
        engine: AsyncEngine,
        changes: SeriesChanges,
        *,
        insert: Any,
        lock_existing_keys: bool,
        turns: Turns | None,
        timeout_seconds: float,
    ) -> None:
        self._engine = engine
        self._insert = insert
        self._lock_existing_keys = lock_existing_keys
        self._turns = turns
        self._timeout = timeout_seconds
        self.changed = ChangedSeries(changes)
        self._holds_turn = False
        self._connection: AsyncConnection | None = None
        self._transaction: AsyncTransaction | None = None
        self._committing: asyncio.Future[None] | None = None

    async def __aenter__(self) -> Self:
        if self._turns is not None:
            await self._turns.take(self._timeout)
            self._holds_turn = True
        try:
            with database_errors("starting a transaction"):
                self._connection = await self._engine.connect()
                self._transaction = await self._connection.begin()
        except BaseException:
            await self._end()
            raise
        self.rows = self.removals = SqlVersions(self._connection, self.changed)
        self.idempotency = SqlIdempotencyKeys(
            self._connection, self.changed, self._insert, lock_existing=self._lock_existing_keys
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._committing is not None and not self._committing.done():
            # Left while its commit still runs (cancelled): the connection is the commit's until then.
            await asyncio.wait({self._committing})
        try:
            if self._transaction is not None and self._transaction.is_active:
                await self._transaction.rollback()
        except Exception:
            # The connection is being discarded either way; a failed rollback must not hide the
            # error (or cancellation) that brought us here, and alone it loses nothing.
            if exc is None:
                with database_errors("rolling back"):
                    raise
            logger.warning("rollback failed while handling %r", exc, exc_info=True)
        finally:
            await self._end()

    @property
    def connection(self) -> AsyncConnection:
        """For this package's own statements in the transaction (see recording)."""
        assert self._connection is not None
        return self._connection

    async def commit(self) -> None:
        self.changed.check_open()
        # Shielded: a caller cancelled meanwhile leaves the commit to end on its own (the driver's
        # thread or the server goes on anyway), and the turn is given back only once it has.
        self._committing = asyncio.ensure_future(self._commit())
        # Its outcome is looked at even when no caller is left to hear of it.
        self._committing.add_done_callback(lambda done: done.cancelled() or done.exception())
        await asyncio.shield(self._committing)

    async def _commit(self) -> None:
        assert self._transaction is not None
        try:
            # The connection can drop after the database applied the commit: unless the commit
            # certainly failed, its outcome is unknown.
            with commit_errors():
                await self._transaction.commit()
        except BaseException:
            # A failed COMMIT can leave the transaction open (SQLite does), and the pool, told of a
            # commit, would not roll it back: the connection's next user would carry it on.
            with suppress(Exception):
                await self._transaction.rollback()
            raise
        finally:
            self.changed.committed()
            self._give_turn_back()

    async def _end(self) -> None:
        try:
            if self._connection is not None:
                await self._connection.close()
        finally:
            self._give_turn_back()

    def _give_turn_back(self) -> None:
        if self._holds_turn:
            assert self._turns is not None
            self._holds_turn = False
            self._turns.give_back()
