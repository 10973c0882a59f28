"""GetVersion on in-memory fakes: a version's metadata with the model its verified artifact holds."""

import pytest

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.domain.errors import SeriesNotFound, VersionNotFound
from anomaly.domain.model_version import ModelVersion
from anomaly.ports.errors import ModelUnreadable
from anomaly.use_cases.fit_model import FitCommand
from anomaly.use_cases.get_version import GetVersion
from tests.support.fakes import Fakes


def around(mean: float) -> bytes:
    return f'{{"timestamps": [1, 2, 3], "values": [{mean - 1}, {mean}, {mean + 1}]}}'.encode()


async def fit(fakes: Fakes, mean: float) -> ModelVersion:
    return await fakes.fit_model()(FitCommand("cpu", around(mean)))


def get_version(fakes: Fakes) -> GetVersion:
    return GetVersion(fakes.rows(), fakes.states())


async def test_the_latest_or_a_pinned_version_is_described_with_its_model() -> None:
    fakes = Fakes()
    first = await fit(fakes, 10.0)
    second = await fit(fakes, 20.0)
    latest = await get_version(fakes)("cpu", None)
    assert (latest.version, latest.model.summary()) == (second, second.summary)
    assert (latest.model.kind, latest.model.parameters) == ("gaussian", {"half_life": None})
    pinned = await get_version(fakes)("cpu", 1)
    assert (pinned.version, pinned.model.summary()) == (first, first.summary)


async def test_a_version_whose_model_artifact_is_damaged_is_unreadable_not_described() -> None:
    store = InMemoryArtifactStore()
    fakes = Fakes(artifacts=store)
    stored = await fit(fakes, 10.0)
    store.files[stored.model.location] = b'{"not": "a model"}'
    with pytest.raises(ModelUnreadable) as raised:
        await get_version(fakes)("cpu", 1)
    assert (raised.value.series_id, raised.value.version) == ("cpu", 1)


async def test_an_unknown_series_or_version_is_not_found() -> None:
    fakes = Fakes()
    await fit(fakes, 10.0)
    with pytest.raises(SeriesNotFound):
        await get_version(fakes)("disk", None)
    with pytest.raises(VersionNotFound):
        await get_version(fakes)("cpu", 2)
