"""Recording a version on SQLite: the whole transaction in one trip to a worker thread, in this
process's turn to write."""

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from anomaly.adapters.sql import statements
from anomaly.adapters.sql.errors import database_errors
from anomaly.adapters.sql.recording import record_with_receipt
from anomaly.adapters.sql.sqlite.worker_connection import WorkerConnection
from anomaly.adapters.sql.sqlite.writer_turns import WriterTurns
from anomaly.adapters.sql.tables import version_row
from anomaly.adapters.sql.units_of_work import SqlWriteUnitOfWork
from anomaly.domain.model_version import ModelVersion, VersionDraft
from anomaly.ports.series_changes import SeriesChanges
from anomaly.ports.version_recorder import Receipt

ALLOCATE = statements.allocate(sqlite.insert)


class SqliteRecorder:
    def __init__(
        self,
        writes: Callable[[], SqlWriteUnitOfWork],
        worker: WorkerConnection,
        turns: WriterTurns,
        changes: SeriesChanges,
        timeout_seconds: float,
    ) -> None:
        self._writes = writes
        self._worker = worker
        self._turns = turns
        self._changes = changes
        self._timeout = timeout_seconds

    async def record(self, draft: VersionDraft, receipt: Receipt | None = None) -> ModelVersion:
        if receipt is not None:
            async with self._writes() as uow:
                return await record_with_receipt(uow, ALLOCATE, draft, receipt)
        await self._turns.take(self._timeout)
        try:
            with database_errors("recording a version"):
                return await self._worker.run(lambda connection: _record_now(connection, draft))
        finally:
            self._turns.give_back()
            # Also when it failed: the commit may have been applied all the same.
            self._changes.mark(draft.series_id)


def _record_now(connection: sa.Connection, draft: VersionDraft) -> ModelVersion:
    allocated = connection.execute(ALLOCATE, {"series_id": draft.series_id.value}).scalar_one()
    version = draft.numbered(int(allocated))
    connection.execute(statements.INSERT_VERSION, version_row(version))
    return version
