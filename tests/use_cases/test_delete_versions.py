"""DeleteVersions on in-memory fakes: rows first and committed, then their artifacts; numbers stay spent."""

import logging

import pytest

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.adapters.memory.database import InMemoryDatabase
from anomaly.domain.errors import SeriesNotFound, VersionNotFound
from anomaly.domain.model_version import ArtifactRef, ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.ports.errors import ArtifactStorageUnavailable
from anomaly.use_cases.delete_versions import DeleteVersions
from anomaly.use_cases.fit_model import FitCommand
from anomaly.use_cases.get_version import GetVersion
from tests.support.fakes import Fakes

CPU = SeriesId("cpu")


def around(mean: float) -> bytes:
    return f'{{"timestamps": [1, 2, 3], "values": [{mean - 1}, {mean}, {mean + 1}]}}'.encode()


async def fit(fakes: Fakes, series: str = "cpu", mean: float = 10.0) -> ModelVersion:
    return await fakes.fit_model()(FitCommand(series, around(mean)))


async def fit_three(fakes: Fakes) -> list[ModelVersion]:
    return [await fit(fakes, mean=mean) for mean in (10.0, 20.0, 30.0)]


def delete(fakes: Fakes) -> DeleteVersions:
    return DeleteVersions(fakes.writes, fakes.artifacts)


def locations(*versions: ModelVersion) -> set[str]:
    return {ref.location for version in versions for ref in (version.model, version.data)}


class WatchedStore(InMemoryArtifactStore):
    """Notes which rows were committed when each artifact delete came; `fails` makes every delete fail."""

    def __init__(self, database: InMemoryDatabase, fails: bool = False) -> None:
        super().__init__()
        self._database = database
        self._fails = fails
        self.rows_at_delete: list[set[tuple[str, int]]] = []

    async def delete(self, ref: ArtifactRef) -> None:
        self.rows_at_delete.append(set(self._database.rows))
        if self._fails:
            raise ArtifactStorageUnavailable("the artifact folder is read-only")
        await super().delete(ref)


async def test_deleting_a_version_removes_its_row_and_both_artifacts_and_keeps_the_others() -> None:
    store = InMemoryArtifactStore()
    fakes = Fakes(artifacts=store)
    first, second, third = await fit_three(fakes)
    assert await delete(fakes).version("cpu", 2) == [second]
    assert set(fakes.database.rows) == {("cpu", 1), ("cpu", 3)}
    assert set(store.files) == locations(first, third)


async def test_a_deleted_number_is_never_given_to_a_later_fit() -> None:
    fakes = Fakes()
    await fit(fakes)
    await fit(fakes)
    await delete(fakes).version("cpu", 2)
    assert (await fit(fakes)).version == 3
    await delete(fakes).series("cpu")
    assert (await fit(fakes)).version == 4


async def test_the_newest_version_left_becomes_latest_even_for_cached_lookups() -> None:
    fakes = Fakes()
    _, second, _ = await fit_three(fakes)
    get_version = GetVersion(fakes.rows(), fakes.states())
    assert (await get_version("cpu", None)).version.version == 3  # now cached
    await delete(fakes).version("cpu", 3)
    latest = await get_version("cpu", None)
    assert latest.version == second
    assert latest.model.summary() == second.summary
    with pytest.raises(VersionNotFound):
        await get_version("cpu", 3)


async def test_a_delete_marks_its_series_changed_and_no_other() -> None:
    fakes = Fakes()
    await fit_three(fakes)
    await fit(fakes, series="memory")
    memory = fakes.changes.stamp(SeriesId("memory"))
    before = fakes.changes.stamp(CPU)
    await delete(fakes).version("cpu", 1)
    after_version = fakes.changes.stamp(CPU)
    await delete(fakes).series("cpu")
    assert len({before, after_version, fakes.changes.stamp(CPU)}) == 3
    assert fakes.changes.stamp(SeriesId("memory")) == memory


async def test_deleting_a_series_removes_every_version_and_artifact_and_nothing_else() -> None:
    store = InMemoryArtifactStore()
    fakes = Fakes(artifacts=store)
    first, second, third = await fit_three(fakes)
    other = await fit(fakes, series="memory")
    assert await delete(fakes).series("cpu") == [third, second, first]  # newest first
    assert set(fakes.database.rows) == {("memory", 1)}
    assert set(store.files) == locations(other)
    get_version = GetVersion(fakes.rows(), fakes.states())
    with pytest.raises(SeriesNotFound):
        await get_version("cpu", None)


@pytest.mark.parametrize(
    ("series", "version", "error"),
    [
        ("cpu", 9, VersionNotFound),  # a known series without that version
        ("disk", 1, SeriesNotFound),
        ("disk", None, SeriesNotFound),  # the whole series
    ],
)
async def test_deleting_what_does_not_exist_is_not_found_and_changes_nothing(
    series: str, version: int | None, error: type[Exception]
) -> None:
    store = InMemoryArtifactStore()
    fakes = Fakes(artifacts=store)
    await fit_three(fakes)
    rows, files, stamp = dict(fakes.database.rows), dict(store.files), fakes.changes.stamp(SeriesId(series))
    deleting = delete(fakes).series(series) if version is None else delete(fakes).version(series, version)
    with pytest.raises(error):
        await deleting
    assert fakes.database.rows == rows
    assert store.files == files
    assert fakes.changes.stamp(SeriesId(series)) == stamp


async def test_a_series_whose_last_version_was_deleted_is_not_found() -> None:
    fakes = Fakes()
    await fit(fakes)
    await delete(fakes).version("cpu", 1)
    with pytest.raises(SeriesNotFound):
        await delete(fakes).version("cpu", 1)


async def test_artifacts_are_removed_only_once_the_rows_are_committed() -> None:
    database = InMemoryDatabase()
    store = WatchedStore(database)
    fakes = Fakes(database=database, artifacts=store)
    await fit_three(fakes)
    await delete(fakes).version("cpu", 3)
    assert store.rows_at_delete == [{("cpu", 1), ("cpu", 2)}] * 2
    store.rows_at_delete.clear()
    await delete(fakes).series("cpu")
    assert store.rows_at_delete == [set()] * 4


async def test_an_artifact_that_cannot_be_removed_is_logged_and_the_delete_still_succeeds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    database = InMemoryDatabase()
    store = WatchedStore(database, fails=True)
    fakes = Fakes(database=database, artifacts=store)
    first, second = await fit(fakes), await fit(fakes)
    with caplog.at_level(logging.WARNING, logger="anomaly"):
        assert await delete(fakes).version("cpu", 2) == [second]
    assert set(fakes.database.rows) == {("cpu", 1)}
    assert set(store.files) == locations(first, second)  # left for the sweep
    logged = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert logged == [
        f"could not remove artifact {location}; the sweep will"
        for location in (second.model.location, second.data.location)
    ]
