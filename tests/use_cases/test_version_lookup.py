"""VersionLookup: a row is reused only while its series is unmarked, and never for long."""

import asyncio
from dataclasses import dataclass, field

import pytest

from anomaly.adapters.memory import (
    FixedClock,
    InMemoryArtifactStore,
    InMemoryChangeBoard,
    InMemoryDatabase,
    InMemoryUnitOfWork,
)
from anomaly.domain.errors import SeriesNotFound, VersionNotFound
from anomaly.domain.series_id import SeriesId
from anomaly.domain.time_series import BatchLimits
from anomaly.use_cases.delete_versions import DeleteVersions
from anomaly.use_cases.fit_model import FitCommand, FitModel
from anomaly.use_cases.model_states import ModelStates
from anomaly.use_cases.resolve_version import VersionLookup

CPU = SeriesId("cpu")


@dataclass
class World:
    """One registry and two processes serving it, each with its own lookup, sharing one board."""

    database: InMemoryDatabase = field(default_factory=InMemoryDatabase)
    artifacts: InMemoryArtifactStore = field(default_factory=InMemoryArtifactStore)
    board: InMemoryChangeBoard = field(default_factory=InMemoryChangeBoard)
    reads: int = 0

    def unit_of_work(self) -> InMemoryUnitOfWork:
        self.reads += 1
        return InMemoryUnitOfWork(self.database)

    def lookup(self, capacity: int = 100, max_age_seconds: float = 60.0) -> VersionLookup:
        return VersionLookup(
            self.unit_of_work, ModelStates(self.artifacts), self.board, capacity, max_age_seconds
        )

    async def fit(self, mean: float) -> int:
        fit = FitModel(self.unit_of_work, self.artifacts, self.board, FixedClock(), BatchLimits(3, 10))
        values = [mean - 1, mean, mean + 1]
        result = await fit(FitCommand("cpu", [1, 2, 3], values, b"{}"))
        return result.version

    def delete(self) -> DeleteVersions:
        return DeleteVersions(self.unit_of_work, self.artifacts, ModelStates(self.artifacts), self.board)


async def test_an_unchanged_series_is_answered_from_memory() -> None:
    world = World()
    await world.fit(10.0)
    lookup = world.lookup()
    first = await lookup.find(CPU, None)
    reads = world.reads
    for _ in range(5):
        assert await lookup.find(CPU, None) == first
    assert world.reads == reads


async def test_a_fit_or_delete_anywhere_is_seen_by_the_next_lookup() -> None:
    world = World()
    await world.fit(10.0)
    here = world.lookup()
    assert (await here.find(CPU, None)).version == 1
    assert (await here.find(CPU, 1)).version == 1
    assert await world.fit(20.0) == 2  # through "another process": same registry and board
    stored, state = await here.load(CPU, None)
    assert (stored.version, state.mean) == (2, 20.0)
    await world.delete().version("cpu", 1)
    with pytest.raises(VersionNotFound):
        await here.find(CPU, 1)
    await world.delete().series("cpu")
    with pytest.raises(SeriesNotFound):
        await here.find(CPU, None)


async def test_a_change_nobody_marked_is_seen_once_the_row_is_old_enough() -> None:
    world = World()
    await world.fit(10.0)
    lookup = world.lookup(max_age_seconds=0.0)
    assert (await lookup.find(CPU, None)).version == 1
    # A fit whose process died between its commit and its mark: only the age limit reveals it.
    await FitModel(
        world.unit_of_work, world.artifacts, InMemoryChangeBoard(), FixedClock(), BatchLimits(3, 10)
    )(FitCommand("cpu", [1, 2, 3], [1.0, 2.0, 3.0], b"{}"))
    assert (await lookup.find(CPU, None)).version == 2


async def test_the_least_recently_used_rows_are_forgotten_first() -> None:
    world = World()
    await world.fit(10.0)
    await world.fit(20.0)
    lookup = world.lookup(capacity=2)
    await lookup.find(CPU, None)
    await lookup.find(CPU, 1)
    await lookup.find(CPU, None)  # now the most recent
    await lookup.find(CPU, 2)  # evicts version 1
    reads = world.reads
    await lookup.find(CPU, None)
    await lookup.find(CPU, 2)
    assert world.reads == reads
    await lookup.find(CPU, 1)
    assert world.reads == reads + 1


async def test_lookups_of_one_row_at_once_share_one_read() -> None:
    world = World()
    await world.fit(10.0)
    lookup = world.lookup()
    reads = world.reads
    found = await asyncio.gather(*(lookup.find(CPU, None) for _ in range(20)))
    assert {version.version for version in found} == {1}
    assert world.reads == reads + 1


async def test_a_lookup_after_a_change_does_not_join_a_read_begun_before_it() -> None:
    world = World()
    await world.fit(10.0)
    finish_reads = asyncio.Event()

    class SlowToFinish(InMemoryUnitOfWork):
        async def __aexit__(self, *exc_info: object) -> None:
            await finish_reads.wait()  # the row is read; the answer is not back yet

    lookup = VersionLookup(lambda: SlowToFinish(world.database), ModelStates(world.artifacts), world.board)
    before = asyncio.ensure_future(lookup.find(CPU, None))
    await asyncio.sleep(0.01)
    await world.fit(20.0)
    after = asyncio.ensure_future(lookup.find(CPU, None))
    await asyncio.sleep(0.01)
    finish_reads.set()
    assert (await before).version == 1
    assert (await after).version == 2
