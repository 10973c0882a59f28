"""Readiness: the database answers `SELECT 1` within the configured timeout."""

import asyncio

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from anomaly.adapters.sql.errors import database_errors
from anomaly.ports.errors import DatabaseUnavailable


class SqlDatabaseProbe:
    def __init__(self, engine: AsyncEngine, timeout_seconds: float) -> None:
        self._engine = engine
        self._timeout = timeout_seconds

    async def check(self) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                with database_errors("checking readiness"):
                    async with self._engine.connect() as connection:
                        await connection.execute(sa.select(1))
        except TimeoutError:
            raise DatabaseUnavailable(f"database did not answer within {self._timeout:g} s") from None
