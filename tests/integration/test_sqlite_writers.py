"""SQLite admits one writer at a time: writers of a process queue, but never past the timeout."""

import asyncio

import pytest

from anomaly.adapters.sql.engine import create_engine
from anomaly.adapters.sql.unit_of_work import unit_of_work_factory
from anomaly.domain.series_id import SeriesId
from anomaly.ports.errors import DatabaseUnavailable
from tests.support.versions import make_draft


async def test_a_writer_that_cannot_get_its_turn_gives_up_at_the_timeout(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url, pool_size=4, timeout_seconds=5)
    uow_factory = unit_of_work_factory(engine, timeout_seconds=0.2)
    try:
        async with uow_factory() as holder:
            await holder.models.add_next(make_draft("cpu"))
            with pytest.raises(DatabaseUnavailable, match="database busy"):
                async with uow_factory() as waiter:
                    await waiter.models.add_next(make_draft("cpu"))
        # Once the holder is done, the next writer gets its turn at once.
        async with uow_factory() as writer:
            assert (await writer.models.add_next(make_draft("cpu"))).version == 1
    finally:
        await engine.dispose()


async def test_readers_do_not_wait_for_a_writer(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url, pool_size=4, timeout_seconds=5)
    uow_factory = unit_of_work_factory(engine, timeout_seconds=0.2)
    try:
        async with uow_factory() as writer:
            await writer.models.add_next(make_draft("cpu"))
            async with asyncio.timeout(2), uow_factory() as reader:
                assert await reader.models.latest(SeriesId("cpu")) is None
    finally:
        await engine.dispose()
