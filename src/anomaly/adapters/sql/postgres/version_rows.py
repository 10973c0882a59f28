"""Version lookups on PostgreSQL, each one statement on a pooled autocommit connection, through asyncpg."""

from sqlalchemy.ext.asyncio import AsyncEngine

from anomaly.adapters.sql import statements
from anomaly.adapters.sql.errors import database_errors
from anomaly.adapters.sql.postgres.compiled import compile_for_asyncpg
from anomaly.adapters.sql.postgres.driver import fetch_one
from anomaly.adapters.sql.tables import version_from_row
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId

_GET = compile_for_asyncpg(statements.GET)
_LATEST = compile_for_asyncpg(statements.LATEST)


class PostgresVersionRows:
    def __init__(self, autocommit: AsyncEngine) -> None:
        self._engine = autocommit

    async def get(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        with database_errors("connecting"):
            connection = await self._engine.connect()
        try:
            row = await fetch_one(
                connection, "reading a version", _GET, {"series_id": series_id.value, "version": version}
            )
        finally:
            await connection.close()
        return None if row is None else version_from_row(row)

    async def latest(self, series_id: SeriesId) -> ModelVersion | None:
        with database_errors("connecting"):
            connection = await self._engine.connect()
        try:
            row = await fetch_one(
                connection, "reading the latest version", _LATEST, {"series_id": series_id.value}
            )
        finally:
            await connection.close()
        return None if row is None else version_from_row(row)
