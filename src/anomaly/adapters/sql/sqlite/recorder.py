"""Recording a version on SQLite: the whole transaction in one trip to a worker thread, in this
process's turn to write."""

import asyncio
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from anomaly.adapters.changed_series import mark_quietly
from anomaly.adapters.sql import statements
from anomaly.adapters.sql.errors import database_errors
from anomaly.adapters.sql.recording import record_in_transaction, still_follows
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
            return await record_in_transaction(self._writes, ALLOCATE, draft, receipt)
        await self._turns.take(self._timeout)
        recording = asyncio.ensure_future(self._worker.run(lambda connection: _record_now(connection, draft)))

        def ended(done: asyncio.Future[ModelVersion]) -> None:
            # Only once the transaction has ended on its thread, even if the caller was cancelled
            # sooner: the next writer must not meet it, and a reader must not cache what it replaces.
            self._turns.give_back()
            # Also when it failed: the commit may have been applied all the same.
            mark_quietly(self._changes, draft.series_id)
            # Looked at even when no caller is left to hear of it.
            done.cancelled() or done.exception()

        recording.add_done_callback(ended)
        with database_errors("recording a version"):
            return await asyncio.shield(recording)


def _record_now(connection: sa.Connection, draft: VersionDraft) -> ModelVersion:
    series = {"series_id": draft.series_id.value}
    allocated = connection.execute(ALLOCATE, series).scalar_one()
    if draft.follows is not None:
        # This process's turn to write, and SQLite's one writer: nothing commits in between.
        still_follows(draft, connection.execute(statements.NEWEST, series).scalar_one())
    version = draft.numbered(int(allocated))
    connection.execute(statements.INSERT_VERSION, version_row(version))
    return version
