"""A commit whose outcome is unknown on PostgreSQL: the series is marked all the same.

Marking tells every process that caches version rows to read them again; a commit that may have
been applied must not leave them serving what it replaced.
"""

import asyncio

import asyncpg
import pytest

from anomaly.adapters.memory.series_changes import InMemorySeriesChanges
from anomaly.adapters.sql.database import open_database
from anomaly.adapters.sql.engine import create_engine
from anomaly.adapters.sql.units_of_work import SqlWriteUnitOfWork
from anomaly.domain.series_id import SeriesId
from anomaly.ports.errors import CommitOutcomeUnknown, DatabaseUnavailable
from tests.support.postgres import plain_url
from tests.support.versions import make_draft

CPU = SeriesId("cpu")


async def terminate(url: str, pid: int) -> None:
    killer = await asyncpg.connect(plain_url(url))
    try:
        await killer.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await killer.close()


async def test_a_write_whose_connection_dies_at_commit_still_marks_its_series(postgres_url: str) -> None:
    engine = create_engine(postgres_url, pool_size=2, timeout_seconds=5)
    changes = InMemorySeriesChanges()
    database = open_database(engine, changes)
    try:
        await database.recorder.record(make_draft("cpu"))
        stamp = changes.stamp(CPU)
        async with database.writes() as uow:
            assert isinstance(uow, SqlWriteUnitOfWork)
            await uow.removals.delete_version(CPU, 1)
            pid = (await uow.connection.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one()
            await terminate(postgres_url, pid)
            # Unknown, or certainly not applied if the driver saw the connection close before it
            # sent the commit: the series is marked either way.
            with pytest.raises(DatabaseUnavailable):
                await uow.commit()
        assert changes.stamp(CPU) != stamp
    finally:
        await engine.dispose()


async def test_a_recording_that_times_out_once_sent_still_marks_its_series(postgres_url: str) -> None:
    engine = create_engine(postgres_url, pool_size=2, timeout_seconds=0.5)
    changes = InMemorySeriesChanges()
    database = open_database(engine, changes)
    holder = await asyncpg.connect(plain_url(postgres_url))
    try:
        await database.recorder.record(make_draft("cpu"))
        stamp = changes.stamp(CPU)
        async with holder.transaction():
            # The series' counter row, locked: the next recording waits for it past its timeout.
            await holder.execute("SELECT * FROM anomaly_detection_series WHERE series_id = 'cpu' FOR UPDATE")
            with pytest.raises(CommitOutcomeUnknown):
                await asyncio.wait_for(database.recorder.record(make_draft("cpu")), 10)
        assert changes.stamp(CPU) != stamp
    finally:
        await holder.close()
        await engine.dispose()
