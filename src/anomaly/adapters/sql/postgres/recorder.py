"""Recording a version on PostgreSQL: the counter's upsert and the row's insert as one statement.

A statement is atomic on its own, so it needs no transaction around it, and the counter row is
locked only while PostgreSQL runs it rather than across the round trips of a transaction. Under
load those round trips wait for a busy event loop, and every fit of the series queues behind them.
"""

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from anomaly.adapters.changed_series import mark_quietly
from anomaly.adapters.sql import statements
from anomaly.adapters.sql.errors import database_errors
from anomaly.adapters.sql.postgres.compiled import compile_for_asyncpg
from anomaly.adapters.sql.postgres.driver import fetch_one
from anomaly.adapters.sql.recording import record_in_transaction
from anomaly.adapters.sql.tables import models, version_row
from anomaly.adapters.sql.units_of_work import SqlWriteUnitOfWork
from anomaly.domain.model_version import ModelVersion, VersionDraft
from anomaly.ports.series_changes import SeriesChanges
from anomaly.ports.version_recorder import Receipt

ALLOCATE = statements.allocate(postgresql.insert)


def _record_next() -> sa.Executable:
    """WITH counter AS (INSERT .. ON CONFLICT DO UPDATE .. RETURNING) INSERT .. SELECT .. FROM counter."""
    counter = ALLOCATE.cte("counter")
    columns = [column.name for column in models.c if column.name != "version"]
    numbered = sa.select(
        *(sa.bindparam(name, type_=models.c[name].type) for name in columns), counter.c.last_version
    )
    return (
        sa.insert(models)
        .from_select([*columns, "version"], numbered)
        .returning(models.c.version)
        .add_cte(counter)
    )


_RECORD_NEXT = compile_for_asyncpg(_record_next())


class PostgresRecorder:
    def __init__(
        self, autocommit: AsyncEngine, writes: Callable[[], SqlWriteUnitOfWork], changes: SeriesChanges
    ) -> None:
        self._engine = autocommit
        self._writes = writes
        self._changes = changes

    async def record(self, draft: VersionDraft, receipt: Receipt | None = None) -> ModelVersion:
        if receipt is not None or draft.follows is not None:
            return await record_in_transaction(self._writes, ALLOCATE, draft, receipt)
        with database_errors("connecting"):
            connection = await self._engine.connect()
        try:
            row = await fetch_one(
                connection, "recording a version", _RECORD_NEXT, version_row(draft.numbered(0)), writes=True
            )
        finally:
            # Also when it failed: once sent, it may have been applied. Before the connection goes
            # back, which can fail or be cancelled in its turn.
            mark_quietly(self._changes, draft.series_id)
            await connection.close()
        assert row is not None  # INSERT .. SELECT from a one-row upsert returns that row
        return draft.numbered(int(row["version"]))
