"""The metadata database's adapters for one engine, chosen once for its dialect."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from anomaly.adapters.sql.identity import SqlDatabaseIdentity
from anomaly.adapters.sql.postgres.recorder import PostgresRecorder
from anomaly.adapters.sql.postgres.version_rows import PostgresVersionRows
from anomaly.adapters.sql.sqlite.recorder import SqliteRecorder
from anomaly.adapters.sql.sqlite.worker_connection import WorkerConnection
from anomaly.adapters.sql.sqlite.writer_turns import WriterTurns, lock_file_for
from anomaly.adapters.sql.units_of_work import SqlReadUnitOfWork, SqlWriteUnitOfWork
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.ports.series_changes import SeriesChanges
from anomaly.ports.store_pairing import DatabaseIdentities
from anomaly.ports.units_of_work import Reads, Writes
from anomaly.ports.version_recorder import VersionRecorder
from anomaly.ports.version_rows import VersionRows


@dataclass(frozen=True, slots=True)
class SqlDatabase:
    reads: Reads
    writes: Writes
    rows: VersionRows  # each lookup on a connection of its own, outside any unit of work
    recorder: VersionRecorder
    identity: DatabaseIdentities


def open_database(engine: AsyncEngine, changes: SeriesChanges, timeout_seconds: float = 5.0) -> SqlDatabase:
    """The adapters on `engine`; a writer waits for its turn at most `timeout_seconds`, like any
    other wait for the database. Every change a write commits is marked in `changes`."""
    # Made once: making the view costs more than the read it serves.
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")

    def reads() -> SqlReadUnitOfWork:
        return SqlReadUnitOfWork(autocommit)

    def writes_with(
        insert: Any, lock_existing_keys: bool, turns: WriterTurns | None
    ) -> Callable[[], SqlWriteUnitOfWork]:
        return partial(
            SqlWriteUnitOfWork,
            engine,
            changes,
            insert=insert,
            lock_existing_keys=lock_existing_keys,
            turns=turns,
            timeout_seconds=timeout_seconds,
        )

    if engine.dialect.name == "postgresql":
        pg_writes = writes_with(postgresql.insert, lock_existing_keys=True, turns=None)
        return SqlDatabase(
            reads=reads,
            writes=pg_writes,
            rows=PostgresVersionRows(autocommit),
            recorder=PostgresRecorder(autocommit, pg_writes, changes),
            identity=SqlDatabaseIdentity(engine),
        )

    # SQLite admits one writer: writers take turns, so a claim's row needs no lock of its own.
    turns = WriterTurns(lock_file_for(engine.url.database))
    worker = WorkerConnection(engine.url, timeout_seconds)
    event.listen(engine.sync_engine, "engine_disposed", lambda _engine: worker.dispose())

    sqlite_writes = writes_with(sqlite.insert, lock_existing_keys=False, turns=turns)
    return SqlDatabase(
        reads=reads,
        writes=sqlite_writes,
        rows=ReadEach(reads),
        recorder=SqliteRecorder(sqlite_writes, worker, turns, changes, timeout_seconds),
        identity=SqlDatabaseIdentity(engine),
    )


class ReadEach:
    """Version lookups, each in a read unit of work of its own."""

    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def get(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        async with self._reads() as uow:
            found: ModelVersion | None = await uow.rows.get(series_id, version)
            return found

    async def latest(self, series_id: SeriesId) -> ModelVersion | None:
        async with self._reads() as uow:
            found: ModelVersion | None = await uow.rows.latest(series_id)
            return found
