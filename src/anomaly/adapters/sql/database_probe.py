"""Readiness: the database answers within the configured timeout, at the schema revision this code
was written for."""

import asyncio

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from anomaly.adapters.sql.errors import database_errors
from anomaly.adapters.sql.migrations import head_revisions
from anomaly.ports.errors import DatabaseUnavailable, SchemaOutOfDate

# Alembic's own record of the revision a database is at; absent, the schema was never migrated.
_REVISIONS = sa.text("SELECT version_num FROM alembic_version")


class SqlDatabaseProbe:
    def __init__(self, engine: AsyncEngine, timeout_seconds: float) -> None:
        self._engine = engine
        self._timeout = timeout_seconds

    async def check(self) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                with database_errors("checking readiness"):
                    async with self._engine.connect() as connection:
                        found = set((await connection.execute(_REVISIONS)).scalars())
        except TimeoutError:
            raise DatabaseUnavailable(f"database did not answer within {self._timeout:g} s") from None
        expected = head_revisions()
        if found != expected:
            raise SchemaOutOfDate(
                f"database schema is at revision {', '.join(sorted(found)) or 'none'}, "
                f"this code expects {', '.join(sorted(expected))}"
            )
