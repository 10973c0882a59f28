"""CachedVersionRows: a row is reused only while its series is unmarked, and never for long."""

import asyncio
from dataclasses import dataclass, field, replace

from anomaly.adapters.caching.version_rows import CachedVersionRows
from anomaly.adapters.memory.version_rows import InMemoryVersionRows
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.use_cases.delete_versions import DeleteVersions
from anomaly.use_cases.fit_model import FitCommand
from tests.support.fakes import Fakes

CPU = SeriesId("cpu")


class CountedRows(InMemoryVersionRows):
    reads = 0

    async def get(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        CountedRows.reads += 1
        return await super().get(series_id, version)

    async def latest(self, series_id: SeriesId) -> ModelVersion | None:
        CountedRows.reads += 1
        return await super().latest(series_id)


@dataclass
class World:
    """One registry and several processes serving it, each with its own cache, sharing the changes."""

    fakes: Fakes = field(default_factory=Fakes)

    def __post_init__(self) -> None:
        CountedRows.reads = 0

    @property
    def reads(self) -> int:
        return CountedRows.reads

    def cache(self, capacity: int = 100, max_age_seconds: float = 60.0) -> CachedVersionRows:
        rows = CountedRows(self.fakes.database)
        return CachedVersionRows(rows, self.fakes.changes, capacity, max_age_seconds)

    async def fit(self, mean: float) -> int:
        body = f'{{"timestamps": [1, 2, 3], "values": [{mean - 1}, {mean}, {mean + 1}]}}'.encode()
        return (await self.fakes.fit_model()(FitCommand("cpu", body))).version

    def delete(self) -> DeleteVersions:
        return DeleteVersions(self.fakes.writes, self.fakes.artifacts)


async def latest_number(rows: CachedVersionRows) -> int | None:
    found = await rows.latest(CPU)
    return None if found is None else found.version


async def test_an_unchanged_series_is_answered_from_memory() -> None:
    world = World()
    await world.fit(10.0)
    cache = world.cache()
    first = await cache.latest(CPU)
    reads = world.reads
    for _ in range(5):
        assert await cache.latest(CPU) == first
    assert world.reads == reads


async def test_a_fit_or_delete_anywhere_is_seen_by_the_next_lookup() -> None:
    world = World()
    await world.fit(10.0)
    here = world.cache()
    assert await latest_number(here) == 1
    assert await here.get(CPU, 1) is not None
    assert await world.fit(20.0) == 2  # through "another process": same registry and changes
    latest = await here.latest(CPU)
    assert latest is not None
    assert (latest.version, latest.summary.mean) == (2, 20.0)
    await world.delete().version("cpu", 1)
    assert await here.get(CPU, 1) is None
    await world.delete().series("cpu")
    assert await here.latest(CPU) is None


async def test_a_change_nobody_marked_is_seen_once_the_row_is_old_enough() -> None:
    world = World()
    await world.fit(10.0)
    cache = world.cache(max_age_seconds=0.0)
    assert await latest_number(cache) == 1
    # A fit whose process died between its commit and its mark: only the age limit reveals it.
    world.fakes.database.rows[("cpu", 2)] = replace(world.fakes.database.rows[("cpu", 1)], version=2)
    assert await latest_number(cache) == 2


async def test_a_change_nobody_marked_is_not_seen_while_the_row_is_young() -> None:
    world = World()
    await world.fit(10.0)
    cache = world.cache(max_age_seconds=60.0)
    assert await latest_number(cache) == 1
    world.fakes.database.rows[("cpu", 2)] = replace(world.fakes.database.rows[("cpu", 1)], version=2)
    assert await latest_number(cache) == 1  # reused: the stamp says nothing changed


async def test_the_least_recently_used_rows_are_forgotten_first() -> None:
    world = World()
    await world.fit(10.0)
    await world.fit(20.0)
    cache = world.cache(capacity=2)
    await cache.latest(CPU)
    await cache.get(CPU, 1)
    await cache.latest(CPU)  # now the most recent
    await cache.get(CPU, 2)  # evicts version 1
    reads = world.reads
    await cache.latest(CPU)
    await cache.get(CPU, 2)
    assert world.reads == reads
    await cache.get(CPU, 1)
    assert world.reads == reads + 1


async def test_a_row_not_found_is_read_again_every_time() -> None:
    world = World()
    cache = world.cache()
    assert await cache.latest(CPU) is None
    assert await cache.latest(CPU) is None
    assert world.reads == 2


async def test_lookups_of_one_row_at_once_share_one_read() -> None:
    world = World()
    await world.fit(10.0)
    cache = world.cache()
    reads = world.reads
    found = await asyncio.gather(*(cache.latest(CPU) for _ in range(20)))
    assert {version.version for version in found if version is not None} == {1}
    assert world.reads == reads + 1


async def test_a_lookup_after_a_change_does_not_join_a_read_begun_before_it() -> None:
    world = World()
    await world.fit(10.0)
    finish_reads = asyncio.Event()

    class SlowToAnswer(InMemoryVersionRows):
        async def latest(self, series_id: SeriesId) -> ModelVersion | None:
            found = await super().latest(series_id)
            await finish_reads.wait()  # the row is read; the answer is not back yet
            return found

    cache = CachedVersionRows(SlowToAnswer(world.fakes.database), world.fakes.changes)
    before = asyncio.ensure_future(latest_number(cache))
    await asyncio.sleep(0.01)
    await world.fit(20.0)
    after = asyncio.ensure_future(latest_number(cache))
    await asyncio.sleep(0.01)
    finish_reads.set()
    assert await before == 1
    assert await after == 2
