"""Versions deleted while a request reads them: answered as gone, or by the newest left, never as damage."""

from collections.abc import Awaitable, Callable

import pytest

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.domain.errors import SeriesNotFound
from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ArtifactRef
from anomaly.domain.series_id import SeriesId
from anomaly.use_cases.delete_versions import DeleteVersions
from anomaly.use_cases.find_version import find_version
from anomaly.use_cases.fit_model import FitCommand
from anomaly.use_cases.training_data import GetTrainingData
from tests.support.fakes import Fakes

CPU = SeriesId("cpu")
BODY = b'{"timestamps": [1, 2, 3], "values": [1.0, 2.0, 3.0]}'


class DeletesOnRead(InMemoryArtifactStore):
    """Before each of the next reads, runs the next of `meanwhile` (deletes committing elsewhere)."""

    def __init__(self) -> None:
        super().__init__()
        self.meanwhile: list[Callable[[], Awaitable[object]]] = []

    async def load_model(self, ref: ArtifactRef) -> Model:
        await self._next()
        return await super().load_model(ref)

    async def load(self, ref: ArtifactRef) -> bytes:
        if ref.location.startswith("memory://data/"):
            await self._next()
        return await super().load(ref)

    async def _next(self) -> None:
        if self.meanwhile:
            await self.meanwhile.pop(0)()


async def nothing() -> None:
    return None


async def fitted(versions: int) -> tuple[Fakes, DeletesOnRead, DeleteVersions]:
    store = DeletesOnRead()
    fakes = Fakes(artifacts=store)
    for _ in range(versions):
        await fakes.fit_model()(FitCommand("cpu", BODY))
    return fakes, store, DeleteVersions(fakes.writes, store)


async def test_two_deletes_during_one_lookup_leave_the_newest_version_left() -> None:
    fakes, store, delete = await fitted(3)
    store.meanwhile = [lambda: delete.version("cpu", 3), lambda: delete.version("cpu", 2)]
    stored, _ = await find_version(fakes.rows(), fakes.states(), CPU, None)
    assert stored.version == 1


async def test_training_data_of_a_series_deleted_while_read_is_not_found() -> None:
    fakes, store, delete = await fitted(1)
    store.meanwhile = [nothing, lambda: delete.series("cpu")]
    with pytest.raises(SeriesNotFound):
        await GetTrainingData(fakes.rows(), fakes.states())("cpu", None)


async def test_training_data_of_the_latest_deleted_while_read_is_the_newest_left() -> None:
    fakes, store, delete = await fitted(2)
    store.meanwhile = [nothing, lambda: delete.version("cpu", 2)]
    data = await GetTrainingData(fakes.rows(), fakes.states())("cpu", None)
    assert (data.version, data.content) == (1, BODY)
