"""One contract for every model repository: in-memory, SQLite and PostgreSQL must behave the same."""

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from anomaly.adapters.memory import InMemoryDatabase, InMemoryUnitOfWork
from anomaly.adapters.sql.unit_of_work import unit_of_work_factory
from anomaly.domain.series_id import SeriesId
from anomaly.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.support.versions import make_draft, make_version


@pytest.fixture
def uow_factory(engine: AsyncEngine | None, memory_database: InMemoryDatabase) -> UnitOfWorkFactory:
    if engine is None:
        return lambda: InMemoryUnitOfWork(memory_database)
    return unit_of_work_factory(engine)


async def fit_once(uow_factory: UnitOfWorkFactory, series: str) -> int:
    async with uow_factory() as uow:
        added = await uow.models.add_next(make_draft(series))
        await uow.commit()
    return added.version


async def commit_once(uow_factory: UnitOfWorkFactory, series: str) -> int:
    async with uow_factory() as uow:
        committed = await uow.models.commit_next(make_draft(series))
    return committed.version


async def test_versions_count_from_one_per_series(uow_factory: UnitOfWorkFactory) -> None:
    assert [await fit_once(uow_factory, "cpu") for _ in range(3)] == [1, 2, 3]
    assert await fit_once(uow_factory, "memory") == 1


async def test_a_rolled_back_allocation_gives_its_number_back(uow_factory: UnitOfWorkFactory) -> None:
    await fit_once(uow_factory, "cpu")
    async with uow_factory() as uow:
        assert (await uow.models.add_next(make_draft("cpu"))).version == 2
        # left without commit: rolled back
    assert await fit_once(uow_factory, "cpu") == 2


async def test_an_exception_inside_the_unit_of_work_keeps_nothing(uow_factory: UnitOfWorkFactory) -> None:
    async def fail_midway() -> None:
        async with uow_factory() as uow:
            await uow.models.add_next(make_draft("cpu"))
            raise RuntimeError("fit failed")

    with pytest.raises(RuntimeError):
        await fail_midway()
    async with uow_factory() as uow:
        assert await uow.models.get(SeriesId("cpu"), 1) is None
    assert await fit_once(uow_factory, "cpu") == 1


async def test_a_stored_version_reads_back_exactly(uow_factory: UnitOfWorkFactory) -> None:
    await fit_once(uow_factory, "cpu")
    async with uow_factory() as uow:
        stored = await uow.models.get(SeriesId("cpu"), 1)
    assert stored == make_version("cpu", 1)
    assert stored is not None
    assert stored.created_at.tzinfo is not None


async def test_unknown_versions_and_series_read_as_none(uow_factory: UnitOfWorkFactory) -> None:
    await fit_once(uow_factory, "cpu")
    async with uow_factory() as uow:
        assert await uow.models.get(SeriesId("cpu"), 2) is None
        assert await uow.models.get(SeriesId("disk"), 1) is None
        assert await uow.models.list_versions(SeriesId("disk")) == []


async def test_versions_list_newest_first(uow_factory: UnitOfWorkFactory) -> None:
    for _ in range(3):
        await fit_once(uow_factory, "cpu")
    await fit_once(uow_factory, "disk")
    async with uow_factory() as uow:
        listed = await uow.models.list_versions(SeriesId("cpu"))
    assert [version.version for version in listed] == [3, 2, 1]


async def test_uncommitted_work_is_invisible_to_others(uow_factory: UnitOfWorkFactory) -> None:
    writer: UnitOfWork = uow_factory()
    async with writer:
        version = (await writer.models.add_next(make_draft("cpu"))).version
        async with uow_factory() as reader:
            assert await reader.models.get(SeriesId("cpu"), version) is None
        await writer.commit()
    async with uow_factory() as reader:
        assert await reader.models.get(SeriesId("cpu"), version) is not None


async def test_concurrent_fits_never_share_a_number(uow_factory: UnitOfWorkFactory) -> None:
    versions = await asyncio.gather(*(fit_once(uow_factory, "cpu") for _ in range(25)))
    assert sorted(versions) == list(range(1, 26))
    async with uow_factory() as uow:
        assert len(await uow.models.list_versions(SeriesId("cpu"))) == 25


async def test_a_committed_next_version_is_stored_at_once_exactly(uow_factory: UnitOfWorkFactory) -> None:
    await fit_once(uow_factory, "cpu")
    async with uow_factory() as writer:
        committed = await writer.models.commit_next(make_draft("cpu"))
        # Stored before the unit of work ends, with no commit of its own.
        async with uow_factory() as reader:
            assert await reader.models.get(SeriesId("cpu"), 2) == committed
    assert committed == make_version("cpu", 2)
    async with uow_factory() as reader:
        assert await reader.models.latest(SeriesId("cpu")) == make_version("cpu", 2)


async def test_committed_and_added_versions_share_one_counter(uow_factory: UnitOfWorkFactory) -> None:
    versions = await asyncio.gather(
        *(commit_once(uow_factory, "cpu") for _ in range(15)),
        *(fit_once(uow_factory, "cpu") for _ in range(10)),
    )
    assert sorted(versions) == list(range(1, 26))
    async with uow_factory() as uow:
        listed = await uow.models.list_versions(SeriesId("cpu"))
    assert [version.version for version in listed] == list(range(25, 0, -1))
    async with uow_factory() as uow:
        assert (await uow.models.add_next(make_draft("cpu"))).version == 26
        # rolled back: the number is given back to the next commit
    assert await commit_once(uow_factory, "cpu") == 26


async def test_commit_next_refuses_to_join_other_writes(uow_factory: UnitOfWorkFactory) -> None:
    await fit_once(uow_factory, "cpu")
    async with uow_factory() as uow:
        await uow.models.delete_version(SeriesId("cpu"), 1)
        with pytest.raises(RuntimeError, match="only write"):
            await uow.models.commit_next(make_draft("cpu"))
    async with uow_factory() as uow:
        assert await uow.models.get(SeriesId("cpu"), 1) is not None
        assert await uow.models.get(SeriesId("cpu"), 2) is None


async def test_latest_is_the_newest_stored_version(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.models.latest(SeriesId("cpu")) is None
    for _ in range(3):
        await fit_once(uow_factory, "cpu")
    async with uow_factory() as uow:
        latest = await uow.models.latest(SeriesId("cpu"))
    assert latest is not None
    assert latest.version == 3


async def test_versions_page_newest_first_with_a_total(uow_factory: UnitOfWorkFactory) -> None:
    for _ in range(5):
        await fit_once(uow_factory, "cpu")
    async with uow_factory() as uow:
        page = await uow.models.list_versions(SeriesId("cpu"), limit=2, offset=1)
        total = await uow.models.count_versions(SeriesId("cpu"))
        beyond = await uow.models.list_versions(SeriesId("cpu"), limit=2, offset=5)
    assert [version.version for version in page] == [4, 3]
    assert total == 5
    assert beyond == []


async def test_series_list_by_id_with_latest_version_and_count(uow_factory: UnitOfWorkFactory) -> None:
    for series, fits in [("memory", 2), ("cpu", 3), ("disk", 1)]:
        for _ in range(fits):
            await fit_once(uow_factory, series)
    async with uow_factory() as uow:
        first_two = await uow.models.list_series(limit=2)
        rest = await uow.models.list_series(limit=2, offset=2)
        count = await uow.models.count_series()
    assert [(s.series_id.value, s.latest_version, s.versions) for s in first_two] == [
        ("cpu", 3, 3),
        ("disk", 1, 1),
    ]
    assert [(s.series_id.value, s.latest_version, s.versions) for s in rest] == [("memory", 2, 2)]
    assert count == 3


async def test_a_deleted_version_is_gone_and_its_number_never_returns(uow_factory: UnitOfWorkFactory) -> None:
    for _ in range(3):
        await fit_once(uow_factory, "cpu")
    async with uow_factory() as uow:
        deleted = await uow.models.delete_version(SeriesId("cpu"), 3)
        missing = await uow.models.delete_version(SeriesId("cpu"), 7)
        await uow.commit()
    assert deleted == make_version("cpu", 3)
    assert missing is None
    async with uow_factory() as uow:
        assert await uow.models.get(SeriesId("cpu"), 3) is None
        latest = await uow.models.latest(SeriesId("cpu"))
        assert latest is not None
        assert latest.version == 2
    assert await fit_once(uow_factory, "cpu") == 4


async def test_an_uncommitted_delete_keeps_the_version(uow_factory: UnitOfWorkFactory) -> None:
    await fit_once(uow_factory, "cpu")
    async with uow_factory() as uow:
        await uow.models.delete_version(SeriesId("cpu"), 1)
    async with uow_factory() as uow:
        assert await uow.models.get(SeriesId("cpu"), 1) is not None


async def test_deleting_a_series_removes_every_version_but_keeps_its_count(
    uow_factory: UnitOfWorkFactory,
) -> None:
    for _ in range(2):
        await fit_once(uow_factory, "cpu")
    await fit_once(uow_factory, "disk")
    async with uow_factory() as uow:
        deleted = await uow.models.delete_series(SeriesId("cpu"))
        await uow.commit()
    assert [version.version for version in deleted] == [2, 1]
    async with uow_factory() as uow:
        assert await uow.models.list_versions(SeriesId("cpu")) == []
        assert await uow.models.count_series() == 1
        assert await uow.models.delete_series(SeriesId("cpu")) == []
    assert await fit_once(uow_factory, "cpu") == 3
