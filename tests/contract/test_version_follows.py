"""An update of the newest version records only while that version is still the newest: one
contract in memory, on SQLite and on PostgreSQL alike."""

import asyncio
from dataclasses import replace

import pytest

from anomaly.domain.errors import VersionConflict
from anomaly.domain.idempotency import IdempotencyRecord
from anomaly.domain.model_version import VersionDraft
from anomaly.domain.series_id import SeriesId
from anomaly.ports.version_recorder import Receipt
from tests.support.registry import Registry
from tests.support.versions import CREATED, make_draft

CPU = SeriesId("cpu")


def following(version: int) -> VersionDraft:
    return replace(make_draft("cpu"), follows=version)


async def recorded(registry: Registry) -> list[int]:
    async with registry.reads() as uow:
        return sorted(version.version for version in await uow.listings.list_versions(CPU))


async def test_an_update_of_the_newest_version_is_recorded_as_the_next(registry: Registry) -> None:
    await registry.recorder.record(make_draft("cpu"))
    assert (await registry.recorder.record(following(1))).version == 2
    assert (await registry.recorder.record(following(2))).version == 3


async def test_an_update_of_a_version_no_longer_the_newest_records_nothing(registry: Registry) -> None:
    await registry.recorder.record(make_draft("cpu"))
    await registry.recorder.record(make_draft("cpu"))
    with pytest.raises(VersionConflict):
        await registry.recorder.record(following(1))
    assert await recorded(registry) == [1, 2]
    # Its number was given back.
    assert (await registry.recorder.record(make_draft("cpu"))).version == 3


async def test_an_update_of_a_deleted_newest_version_records_nothing(registry: Registry) -> None:
    await registry.recorder.record(make_draft("cpu"))
    await registry.recorder.record(make_draft("cpu"))
    async with registry.writes() as uow:
        await uow.removals.delete_version(CPU, 2)
        await uow.commit()
    with pytest.raises(VersionConflict):
        await registry.recorder.record(following(2))
    assert await recorded(registry) == [1]


async def test_a_conflicting_update_keeps_no_reply_under_its_key(registry: Registry) -> None:
    await registry.recorder.record(make_draft("cpu"))
    await registry.recorder.record(make_draft("cpu"))
    claim = IdempotencyRecord.claim("0123456789abcdef", "key-1", "f" * 64, CREATED)
    async with registry.writes() as uow:
        await uow.idempotency.claim(claim)
        await uow.commit()
    with pytest.raises(VersionConflict):
        await registry.recorder.record(following(1), Receipt(claim=claim, reply=lambda version: b"kept"))
    async with registry.writes() as uow:
        kept = await uow.idempotency.claim(claim)
    assert kept is not None
    assert kept.reply is None
    assert await recorded(registry) == [1, 2]


async def test_of_concurrent_updates_of_one_newest_version_exactly_one_is_recorded(
    registry: Registry,
) -> None:
    await registry.recorder.record(make_draft("cpu"))
    outcomes = await asyncio.gather(
        *(registry.recorder.record(following(1)) for _ in range(8)), return_exceptions=True
    )
    assert [outcome.version for outcome in outcomes if not isinstance(outcome, BaseException)] == [2]
    assert all(
        isinstance(outcome, VersionConflict) for outcome in outcomes if isinstance(outcome, BaseException)
    )
    assert await recorded(registry) == [1, 2]


async def test_an_update_waiting_on_a_series_delete_sees_it_and_records_nothing(registry: Registry) -> None:
    await registry.recorder.record(make_draft("cpu"))
    async with registry.writes() as uow:
        await uow.removals.delete_series(CPU)
        update = asyncio.ensure_future(registry.recorder.record(following(1)))
        # The update waits for the delete's transaction (its lock or its turn to write).
        await asyncio.sleep(0.3)
        assert not update.done()
        await uow.commit()
    with pytest.raises(VersionConflict):
        await update
    assert await recorded(registry) == []
