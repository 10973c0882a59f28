"""A unit of work on one pooled connection and one transaction."""

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Self, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from anomaly.adapters.sql.errors import database_errors
from anomaly.adapters.sql.idempotency_repository import SqlIdempotencyRepository
from anomaly.adapters.sql.model_repository import SqlModelRepository
from anomaly.adapters.sql.sqlite_writes import SqliteWrites
from anomaly.adapters.sql.writer_turns import WriterTurns, lock_file_for
from anomaly.ports.unit_of_work import UnitOfWorkFactory

logger = logging.getLogger(__name__)

T = TypeVar("T")


def unit_of_work_factory(engine: AsyncEngine, timeout_seconds: float = 5.0) -> UnitOfWorkFactory:
    """Units of work on `engine`; on SQLite, writers take turns (see WriterTurns).

    A writer waits for its turn at most `timeout_seconds`, like any other wait for the database.
    """
    # Connections come in autocommit mode as they are checked out: setting it on each connection
    # afterwards cost a trip through SQLAlchemy's greenlet bridge per unit of work. The view is
    # made once: making one costs more than the read it serves.
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    if engine.dialect.name != "sqlite":
        return lambda: SqlUnitOfWork(autocommit, None, None, timeout_seconds)
    turns = WriterTurns(lock_file_for(engine.url.database))
    writes = SqliteWrites(engine.url, timeout_seconds)
    event.listen(engine.sync_engine, "engine_disposed", lambda _engine: writes.dispose())
    return lambda: SqlUnitOfWork(autocommit, turns, writes, timeout_seconds)


class SqlUnitOfWork:
    """Reads run as single autocommit statements (one round trip each, no BEGIN or ROLLBACK); the
    first write opens a transaction, which `commit` ends. Most units of work only read."""

    def __init__(
        self,
        engine: AsyncEngine,
        turns: WriterTurns | None = None,
        writes: SqliteWrites | None = None,
        timeout_seconds: float = 5.0,
    ) -> None:
        # `engine` hands out connections in autocommit mode (see unit_of_work_factory).
        self._engine = engine
        self._turns = turns
        self._writes = writes
        self._timeout = timeout_seconds
        self._holds_write_lock = False
        self._connection: AsyncConnection | None = None
        self._transaction: AsyncTransaction | None = None

    async def __aenter__(self) -> Self:
        with database_errors("connecting"):
            self._connection = await self._engine.connect()
        self.models = SqlModelRepository(self._connection, self)
        self.idempotency = SqlIdempotencyRepository(self._connection, self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._connection is not None
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
            try:
                await self._connection.close()
            finally:
                self._release_write_lock()

    @property
    def writing(self) -> bool:
        return self._transaction is not None and self._transaction.is_active

    async def commit(self) -> None:
        try:
            if self._transaction is not None:
                with database_errors("committing"):
                    await self._transaction.commit()
        finally:
            self._release_write_lock()

    async def write_alone(self, action: str, work: Callable[[sa.Connection], T]) -> T:
        if self._writes is None or self._transaction is not None:
            raise RuntimeError("write_alone is for a unit of work on SQLite with no other write")
        await self._take_turn()
        try:
            with database_errors(action):
                return await self._writes.run(work)
        finally:
            self._release_write_lock()

    async def before_write(self) -> None:
        if self._transaction is not None:
            return
        await self._take_turn()
        assert self._connection is not None
        with database_errors("starting a transaction"):
            if self._connection.in_transaction():
                # Reads so far ran in autocommit mode; SQLAlchemy's bookkeeping of them ends here.
                await self._connection.commit()
            await self._connection.execution_options(
                isolation_level=self._engine.dialect.default_isolation_level
            )
            self._transaction = await self._connection.begin()

    async def _take_turn(self) -> None:
        if self._turns is not None and not self._holds_write_lock:
            await self._turns.take(self._timeout)
            self._holds_write_lock = True

    def _release_write_lock(self) -> None:
        if self._turns is not None and self._holds_write_lock:
            self._holds_write_lock = False
            self._turns.give_back()
