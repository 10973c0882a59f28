"""SQLite admits one writer at a time: writers queue, across processes too, but never past the timeout."""

import asyncio
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from anomaly.adapters.memory.series_changes import InMemorySeriesChanges
from anomaly.adapters.sql import statements
from anomaly.adapters.sql.database import open_database
from anomaly.adapters.sql.engine import create_engine
from anomaly.adapters.sql.migrations import upgrade
from anomaly.adapters.sql.sqlite.recorder import ALLOCATE
from anomaly.adapters.sql.sqlite.worker_connection import WorkerConnection
from anomaly.adapters.sql.sqlite.writer_turns import WriterTurns
from anomaly.adapters.sql.tables import version_row
from anomaly.adapters.sql.units_of_work import SqlWriteUnitOfWork
from anomaly.domain.series_id import SeriesId
from anomaly.ports.errors import CommitOutcomeUnknown, DatabaseUnavailable, StorageError
from tests.support.payloads import batch
from tests.support.server import running_server
from tests.support.small_disk import small_disk
from tests.support.stored import stored_versions
from tests.support.versions import make_draft, make_version


async def test_a_writer_that_cannot_get_its_turn_gives_up_at_the_timeout(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url, pool_size=4, timeout_seconds=5)
    database = open_database(engine, InMemorySeriesChanges(), timeout_seconds=0.2)
    try:
        async with database.writes():
            with pytest.raises(DatabaseUnavailable, match="database busy"):
                async with database.writes():
                    pass
            with pytest.raises(DatabaseUnavailable, match="database busy"):
                await database.recorder.record(make_draft("cpu"))
        # Once the holder is done, the next writer gets its turn at once.
        assert (await database.recorder.record(make_draft("cpu"))).version == 1
    finally:
        await engine.dispose()


async def test_readers_do_not_wait_for_a_writer(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url, pool_size=4, timeout_seconds=5)
    database = open_database(engine, InMemorySeriesChanges(), timeout_seconds=0.2)
    try:
        await database.recorder.record(make_draft("cpu"))
        async with database.writes() as writer:
            await writer.removals.delete_series(SeriesId("cpu"))
            async with asyncio.timeout(2), database.reads() as reader:
                assert await reader.rows.latest(SeriesId("cpu")) is not None
            assert await database.rows.latest(SeriesId("cpu")) is not None
    finally:
        await engine.dispose()


async def test_writers_of_different_processes_take_turns_on_the_lock_file(tmp_path: Path) -> None:
    # flock belongs to the open file, so two WriterTurns on one lock file behave as two processes.
    lock = tmp_path / "anomaly.db.write-lock"
    here, there, third = WriterTurns(lock), WriterTurns(lock), WriterTurns(lock)
    await here.take(1)
    with pytest.raises(DatabaseUnavailable, match="database busy"):
        await there.take(0.2)
    waiting = asyncio.ensure_future(third.take(5))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    here.give_back()
    # The waiter is served the moment the lock is free, and the writer that gave up (whose thread
    # was still queued on the lock) does not keep it.
    await asyncio.wait_for(waiting, 1)
    third.give_back()
    await asyncio.wait_for(there.take(1), 1)
    there.give_back()


async def test_fits_through_two_server_processes_at_once_all_land_numbered_without_gaps(
    sqlite_url: str, tmp_path: Path
) -> None:
    env = {
        "DATABASE_URL": sqlite_url,
        "MODEL_STATE_FOLDER": str(tmp_path / "models"),
        "TRAINING_DATA_FOLDER": str(tmp_path / "data"),
        "DATABASE_TIMEOUT_SECONDS": "2",
    }
    with running_server(tmp_path, env, workers=2) as base_url:

        def fit_many(thread: int) -> list[int]:
            with httpx.Client(base_url=base_url, timeout=10) as client:
                return [
                    client.post(f"/fit/s{thread % 3}", json=batch([1.0, 2.0, float(n)])).status_code
                    for n in range(40)
                ]

        with ThreadPoolExecutor(8) as pool:
            statuses = [status for result in pool.map(fit_many, range(8)) for status in result]
    assert statuses == [200] * 320
    versions = await stored_versions(sqlite_url, "s0")
    assert sorted(row.version for row in versions) == list(range(1, len(versions) + 1))


async def test_a_commit_sqlite_refuses_is_known_to_have_failed(sqlite_url: str) -> None:
    """Refused before anything was written, the transaction is rolled back: the fit's files may go."""
    worker = WorkerConnection(make_url(sqlite_url), timeout_seconds=5)

    def refused_at_commit(connection: sa.Connection) -> None:
        # A deferred foreign key is checked at COMMIT: a version of a series with no counter row.
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        connection.execute(statements.INSERT_VERSION, version_row(make_version("nobody", 1)))

    try:
        with pytest.raises(StorageError) as refused:
            await worker.run(refused_at_commit)
        assert not isinstance(refused.value, CommitOutcomeUnknown)
        assert await stored_versions(sqlite_url, "nobody") == []
        # The connection went back clean: the next transaction commits.
        assert (
            await worker.run(
                lambda connection: connection.execute(ALLOCATE, {"series_id": "cpu"}).scalar_one()
            )
            == 1
        )
    finally:
        worker.dispose()


async def test_a_commit_that_fails_writing_is_of_unknown_outcome(tmp_path: Path) -> None:
    """SQLite can fail a COMMIT after the transaction reached its log: the fit's files must stay."""
    with small_disk(tmp_path / "disk", size="1m") as disk:
        url = f"sqlite+aiosqlite:///{disk / 'anomaly.db'}"
        await upgrade(url)
        worker = WorkerConnection(make_url(url), timeout_seconds=5)

        def fails_writing_at_commit(connection: sa.Connection) -> None:
            for number in range(1, 50):
                connection.execute(ALLOCATE, {"series_id": "cpu"})
                connection.execute(statements.INSERT_VERSION, version_row(make_version("cpu", number)))
            fill(disk / "filler")  # the log has no room left for the pages of this transaction

        try:
            with pytest.raises(CommitOutcomeUnknown, match="full"):
                await worker.run(fails_writing_at_commit)
        finally:
            worker.dispose()


def fill(path: Path) -> None:
    """Take every block left on the filesystem that holds `path`."""
    free = os.statvfs(path.parent)
    with path.open("wb") as filler:
        os.posix_fallocate(filler.fileno(), 0, free.f_bavail * free.f_frsize)


async def test_a_cancelled_recording_is_marked_only_once_its_transaction_has_ended(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = create_engine(sqlite_url, pool_size=4, timeout_seconds=5)
    changes = InMemorySeriesChanges()
    database = open_database(engine, changes, timeout_seconds=5)
    holder = sqlite3.connect(tmp_path / "anomaly.db", timeout=5, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds SQLite's write lock
        recording = asyncio.ensure_future(database.recorder.record(make_draft("cpu")))
        await asyncio.sleep(0.3)  # the recording's thread now waits for that lock
        recording.cancel()
        with pytest.raises(asyncio.CancelledError):
            await recording
        assert changes.stamp(SeriesId("cpu")) == 0  # its transaction has not ended: not marked yet
        holder.execute("ROLLBACK")
        for _ in range(500):  # the thread commits once the lock is free
            if changes.stamp(SeriesId("cpu")) != 0:
                break
            await asyncio.sleep(0.01)
        assert changes.stamp(SeriesId("cpu")) != 0
        # The transaction went through after its caller left, and the turn came back with it.
        assert (await database.recorder.record(make_draft("cpu"))).version == 2
    finally:
        holder.close()
        await engine.dispose()


async def test_a_unit_of_work_whose_commit_sqlite_refuses_leaves_nothing_to_the_next(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url, pool_size=1, timeout_seconds=5)  # one connection, reused
    database = open_database(engine, InMemorySeriesChanges(), timeout_seconds=5)
    try:
        async with database.writes() as uow:
            assert isinstance(uow, SqlWriteUnitOfWork)
            await uow.connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            await uow.connection.execute(statements.INSERT_VERSION, version_row(make_version("nobody", 1)))
            with pytest.raises(StorageError) as refused:
                await uow.commit()
            assert not isinstance(refused.value, CommitOutcomeUnknown)
        assert (await database.recorder.record(make_draft("cpu"))).version == 1
        async with database.writes() as uow:
            await uow.removals.delete_version(SeriesId("cpu"), 1)
            await uow.commit()
        assert await stored_versions(sqlite_url, "nobody") == []
    finally:
        await engine.dispose()
