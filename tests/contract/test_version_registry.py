"""One contract for the version registry in memory, on SQLite and on PostgreSQL alike."""

import asyncio
from dataclasses import replace

import pytest

from anomaly.adapters.changed_series import UnitOfWorkClosed
from anomaly.domain.idempotency import IdempotencyKeyInUse, IdempotencyRecord
from anomaly.domain.series_id import SeriesId
from anomaly.ports.version_recorder import Receipt
from tests.support.registry import Registry
from tests.support.versions import CREATED, make_draft, make_version

CPU, DISK = SeriesId("cpu"), SeriesId("disk")


async def record(registry: Registry, series: str) -> int:
    return (await registry.recorder.record(make_draft(series))).version


def unclaimed_receipt() -> Receipt:
    """A receipt for a key no one claimed: completing it fails, so its recording rolls back."""
    claim = IdempotencyRecord.claim("0123456789abcdef", "never-claimed", "f" * 64, CREATED)
    return Receipt(claim=claim, reply=lambda version: b"reply")


async def test_versions_count_from_one_per_series(registry: Registry) -> None:
    assert [await record(registry, "cpu") for _ in range(3)] == [1, 2, 3]
    assert await record(registry, "memory") == 1


async def test_a_stored_version_reads_back_exactly(registry: Registry) -> None:
    recorded = await registry.recorder.record(make_draft("cpu"))
    assert recorded == make_version("cpu", 1)
    async with registry.reads() as uow:
        stored = await uow.rows.get(CPU, 1)
    assert stored == make_version("cpu", 1)
    assert stored is not None
    assert stored.created_at.tzinfo is not None
    assert await registry.rows.get(CPU, 1) == stored
    assert await registry.rows.latest(CPU) == stored


async def test_a_recording_that_fails_gives_its_number_back(registry: Registry) -> None:
    await record(registry, "cpu")
    with pytest.raises(IdempotencyKeyInUse):
        await registry.recorder.record(make_draft("cpu"), unclaimed_receipt())
    assert await registry.rows.get(CPU, 2) is None
    assert await record(registry, "cpu") == 2


async def test_unknown_versions_and_series_read_as_none(registry: Registry) -> None:
    await record(registry, "cpu")
    assert await registry.rows.get(CPU, 2) is None
    assert await registry.rows.get(DISK, 1) is None
    assert await registry.rows.latest(DISK) is None
    async with registry.reads() as uow:
        assert await uow.listings.list_versions(DISK) == []


async def test_versions_list_newest_first(registry: Registry) -> None:
    for _ in range(3):
        await record(registry, "cpu")
    await record(registry, "disk")
    async with registry.reads() as uow:
        listed = await uow.listings.list_versions(CPU)
    assert [version.version for version in listed] == [3, 2, 1]


async def test_uncommitted_work_is_invisible_to_others(registry: Registry) -> None:
    await record(registry, "cpu")
    async with registry.writes() as writer:
        assert await writer.removals.delete_version(CPU, 1) is not None
        async with registry.reads() as reader:
            assert await reader.rows.get(CPU, 1) is not None
        await writer.commit()
    assert await registry.rows.get(CPU, 1) is None


async def test_a_write_unit_of_work_reads_its_own_writes(registry: Registry) -> None:
    for _ in range(2):
        await record(registry, "cpu")
    async with registry.writes() as uow:
        await uow.removals.delete_version(CPU, 2)
        assert await uow.rows.get(CPU, 2) is None
        latest = await uow.rows.latest(CPU)
        assert latest is not None
        assert latest.version == 1
        claim = IdempotencyRecord.claim("0123456789abcdef", "key", "f" * 64, CREATED)
        assert await uow.idempotency.claim(claim) is None
        assert await uow.idempotency.claim(claim) == claim


async def test_a_write_unit_of_work_takes_no_write_after_its_commit(registry: Registry) -> None:
    await record(registry, "cpu")
    claim = IdempotencyRecord.claim("0123456789abcdef", "key", "f" * 64, CREATED)
    async with registry.writes() as uow:
        await uow.removals.delete_version(CPU, 1)
        await uow.commit()
        with pytest.raises(UnitOfWorkClosed):
            await uow.removals.delete_series(CPU)
        with pytest.raises(UnitOfWorkClosed):
            await uow.idempotency.claim(claim)
        with pytest.raises(UnitOfWorkClosed):
            await uow.commit()
    async with registry.writes() as uow:
        assert await uow.idempotency.claim(claim) is None  # nothing of the refused claim was kept


async def test_concurrent_recordings_never_share_a_number(registry: Registry) -> None:
    versions = await asyncio.gather(*(record(registry, "cpu") for _ in range(25)))
    assert sorted(versions) == list(range(1, 26))
    async with registry.reads() as uow:
        assert len(await uow.listings.list_versions(CPU)) == 25


async def test_recordings_with_and_without_receipts_share_one_counter(registry: Registry) -> None:
    keys = iter(range(10))

    async def record_with_receipt() -> int:
        claim = IdempotencyRecord.claim("0123456789abcdef", f"key-{next(keys)}", "f" * 64, CREATED)
        async with registry.writes() as uow:
            await uow.idempotency.claim(claim)
            await uow.commit()
        receipt = Receipt(claim=claim, reply=lambda version: f"v{version.version}".encode())
        return (await registry.recorder.record(make_draft("cpu"), receipt)).version

    versions = await asyncio.gather(
        *(record(registry, "cpu") for _ in range(15)), *(record_with_receipt() for _ in range(10))
    )
    assert sorted(versions) == list(range(1, 26))


async def test_a_receipt_is_kept_with_its_version(registry: Registry) -> None:
    claim = IdempotencyRecord.claim("0123456789abcdef", "key", "f" * 64, CREATED)
    async with registry.writes() as uow:
        await uow.idempotency.claim(claim)
        await uow.commit()
    receipt = Receipt(claim=claim, reply=lambda version: f"version {version.version}".encode())
    recorded = await registry.recorder.record(make_draft("cpu"), receipt)
    assert recorded == make_version("cpu", 1)
    async with registry.writes() as uow:
        kept = await uow.idempotency.claim(claim)
    assert kept is not None
    assert kept.reply == b"version 1"


async def test_recording_marks_the_series_changed(registry: Registry) -> None:
    before = registry.changes.stamp(CPU), registry.changes.stamp(DISK)
    await record(registry, "cpu")
    assert registry.changes.stamp(CPU) != before[0]
    assert registry.changes.stamp(DISK) == before[1]


async def test_a_committed_removal_marks_its_series_and_nothing_else(registry: Registry) -> None:
    await record(registry, "cpu")
    await record(registry, "disk")
    stamps = registry.changes.stamp(CPU), registry.changes.stamp(DISK)
    async with registry.writes() as uow:
        await uow.removals.delete_version(CPU, 1)
        assert registry.changes.stamp(CPU) == stamps[0]  # not before the commit
        await uow.commit()
    assert registry.changes.stamp(CPU) != stamps[0]
    assert registry.changes.stamp(DISK) == stamps[1]
    async with registry.writes() as uow:
        await uow.removals.delete_version(DISK, 1)
        # left without commit: rolled back, and nothing to mark
    assert registry.changes.stamp(DISK) == stamps[1]


async def test_latest_is_the_newest_stored_version(registry: Registry) -> None:
    assert await registry.rows.latest(CPU) is None
    for _ in range(3):
        await record(registry, "cpu")
    latest = await registry.rows.latest(CPU)
    assert latest is not None
    assert latest.version == 3


async def test_versions_page_newest_first_with_a_total(registry: Registry) -> None:
    for _ in range(5):
        await record(registry, "cpu")
    async with registry.reads() as uow:
        page = await uow.listings.list_versions(CPU, limit=2, offset=1)
        total = await uow.listings.count_versions(CPU)
        beyond = await uow.listings.list_versions(CPU, limit=2, offset=5)
    assert [version.version for version in page] == [4, 3]
    assert total == 5
    assert beyond == []


async def test_series_list_by_id_with_latest_version_and_count(registry: Registry) -> None:
    for series, fits in [("memory", 2), ("cpu", 3), ("disk", 1)]:
        for _ in range(fits):
            await record(registry, series)
    async with registry.reads() as uow:
        first_two = await uow.listings.list_series(limit=2)
        rest = await uow.listings.list_series(limit=2, offset=2)
        count = await uow.listings.count_series()
    assert [(s.series_id.value, s.latest_version, s.versions) for s in first_two] == [
        ("cpu", 3, 3),
        ("disk", 1, 1),
    ]
    assert [(s.series_id.value, s.latest_version, s.versions) for s in rest] == [("memory", 2, 2)]
    assert count == 3


async def test_artifact_references_name_every_stored_file_of_the_series(registry: Registry) -> None:
    await record(registry, "cpu")
    await record(registry, "disk")
    draft = make_draft("cpu")
    async with registry.reads() as uow:
        assert await uow.references.artifact_locations(CPU) == {draft.model.location, draft.data.location}
        assert await uow.references.artifact_locations(SeriesId("other")) == set()


async def test_a_deleted_version_is_gone_and_its_number_never_returns(registry: Registry) -> None:
    for _ in range(3):
        await record(registry, "cpu")
    async with registry.writes() as uow:
        deleted = await uow.removals.delete_version(CPU, 3)
        missing = await uow.removals.delete_version(CPU, 7)
        await uow.commit()
    assert deleted == make_version("cpu", 3)
    assert missing is None
    assert await registry.rows.get(CPU, 3) is None
    latest = await registry.rows.latest(CPU)
    assert latest is not None
    assert latest.version == 2
    assert await record(registry, "cpu") == 4


async def test_an_uncommitted_delete_keeps_the_version(registry: Registry) -> None:
    await record(registry, "cpu")
    async with registry.writes() as uow:
        await uow.removals.delete_version(CPU, 1)
    assert await registry.rows.get(CPU, 1) is not None


async def test_an_exception_inside_a_write_unit_of_work_keeps_nothing(registry: Registry) -> None:
    await record(registry, "cpu")

    async def fail_midway() -> None:
        async with registry.writes() as uow:
            await uow.removals.delete_series(CPU)
            raise RuntimeError("failed midway")

    with pytest.raises(RuntimeError):
        await fail_midway()
    assert await registry.rows.get(CPU, 1) is not None


async def test_deleting_a_series_removes_every_version_but_keeps_its_count(registry: Registry) -> None:
    for _ in range(2):
        await record(registry, "cpu")
    await record(registry, "disk")
    async with registry.writes() as uow:
        deleted = await uow.removals.delete_series(CPU)
        await uow.commit()
    assert [version.version for version in deleted] == [2, 1]
    async with registry.reads() as uow:
        assert await uow.listings.list_versions(CPU) == []
        assert await uow.listings.count_series() == 1
    async with registry.writes() as uow:
        assert await uow.removals.delete_series(CPU) == []
    assert await record(registry, "cpu") == 3


async def test_a_version_keeps_its_kind_and_parameters_exactly(registry: Registry) -> None:
    parameters = {"period": 86_400, "half_life": 1000.5, "channels": ["level", "diff"], "name": "é"}
    draft = replace(make_draft("cpu"), kind="seasonal", parameters=parameters)
    recorded = await registry.recorder.record(draft)
    assert (recorded.kind, recorded.parameters) == ("seasonal", parameters)
    stored = await registry.rows.get(CPU, 1)
    assert stored is not None
    assert (stored.kind, stored.parameters) == ("seasonal", parameters)
    async with registry.reads() as uow:
        [listed] = await uow.listings.list_versions(CPU)
    assert listed == stored
