"""A unit of work on one pooled connection and one transaction."""

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from anomaly.adapters.sql.errors import database_errors
from anomaly.adapters.sql.model_repository import SqlModelRepository


class SqlUnitOfWork:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._transaction: AsyncTransaction | None = None

    async def __aenter__(self) -> Self:
        with database_errors("connecting"):
            self._connection = await self._engine.connect()
            try:
                self._transaction = await self._connection.begin()
            except BaseException:
                await self._connection.close()
                raise
        self.models = SqlModelRepository(self._connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        assert self._transaction is not None
        try:
            if self._transaction.is_active:
                with database_errors("rolling back"):
                    await self._transaction.rollback()
        finally:
            await self._connection.close()

    async def commit(self) -> None:
        assert self._transaction is not None
        with database_errors("committing"):
            await self._transaction.commit()
