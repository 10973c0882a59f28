"""FitModel on in-memory adapters: what a fit stores, and what a failed fit leaves behind."""

import asyncio
import threading

import pytest

from anomaly.adapters.memory import (
    FixedClock,
    InMemoryArtifactStore,
    InMemoryChangeBoard,
    InMemoryDatabase,
    InMemoryIdempotencyRepository,
    InMemoryModelRepository,
    InMemoryUnitOfWork,
)
from anomaly.domain.detection import Threshold
from anomaly.domain.errors import InvalidInput, SeriesNotFound
from anomaly.domain.model_format import decode_model_state
from anomaly.domain.model_version import ArtifactRef, ModelVersion, VersionDraft
from anomaly.domain.series_id import SeriesId
from anomaly.domain.time_series import BatchLimits
from anomaly.ports.errors import ArtifactStorageFull, DatabaseUnavailable
from anomaly.use_cases.delete_versions import DeleteVersions
from anomaly.use_cases.fit_model import FitCommand, FitModel
from anomaly.use_cases.model_states import ModelStates
from anomaly.use_cases.offload import OFFLOAD_THRESHOLD, run_cpu_bound
from anomaly.use_cases.predict import Predict
from anomaly.use_cases.resolve_version import VersionLookup

LIMITS = BatchLimits(min_points=3, max_points=1_000_000)


def command(series: str = "cpu", values: list[float] | None = None) -> FitCommand:
    values = values or [1.0, 2.0, 3.0, 6.0]
    return FitCommand(
        series_id=series,
        timestamps=list(range(100, 100 + len(values))),
        values=values,
        training_data=b"as sent",
    )


class FailingDataStore(InMemoryArtifactStore):
    async def save_training_data(self, series_id: SeriesId, content: bytes) -> ArtifactRef:
        raise ArtifactStorageFull("no space left to write the training data")


class AcknowledgementLost(InMemoryModelRepository):
    async def commit_next(self, draft: VersionDraft) -> ModelVersion:
        await super().commit_next(draft)
        raise DatabaseUnavailable("connection lost while committing")


class CommitFailsAfterApplying(InMemoryUnitOfWork):
    """The connection drops after the database applied the commit: the outcome is unknown to us."""

    def __init__(self, database: InMemoryDatabase) -> None:
        super().__init__(database)
        self.models = AcknowledgementLost(database)
        self.idempotency = InMemoryIdempotencyRepository(database, self.models)

    async def commit(self) -> None:
        await super().commit()
        raise DatabaseUnavailable("connection lost while committing")


class CannotConnect(InMemoryUnitOfWork):
    async def __aenter__(self) -> "CannotConnect":
        raise DatabaseUnavailable("database unreachable while connecting")


async def test_a_fit_records_the_version_with_its_artifacts_and_summary() -> None:
    database, artifacts = InMemoryDatabase(), InMemoryArtifactStore()
    fit_model = FitModel(
        lambda: InMemoryUnitOfWork(database), artifacts, InMemoryChangeBoard(), FixedClock(), LIMITS
    )
    result = await fit_model(command())
    row = database.rows[("cpu", 1)]
    assert result.version == 1
    assert (row.state.mean, row.state.points_used) == (3.0, 4)
    assert (row.state.first_timestamp, row.state.last_timestamp) == (100, 103)
    assert await artifacts.load(row.data) == b"as sent"
    assert decode_model_state(await artifacts.load(row.model)) == row.state
    assert row.created_at == FixedClock().now()


async def test_an_invalid_batch_stores_nothing() -> None:
    database, artifacts = InMemoryDatabase(), InMemoryArtifactStore()
    fit_model = FitModel(
        lambda: InMemoryUnitOfWork(database), artifacts, InMemoryChangeBoard(), FixedClock(), LIMITS
    )
    with pytest.raises(InvalidInput):
        await fit_model(command(values=[1.0, 2.0]))
    with pytest.raises(InvalidInput, match="series_id"):
        await fit_model(command(series=".."))
    assert artifacts.files == {}
    assert database.rows == {}


async def test_a_failed_second_artifact_removes_the_first() -> None:
    database, artifacts = InMemoryDatabase(), FailingDataStore()
    fit_model = FitModel(
        lambda: InMemoryUnitOfWork(database), artifacts, InMemoryChangeBoard(), FixedClock(), LIMITS
    )
    with pytest.raises(ArtifactStorageFull):
        await fit_model(command())
    assert artifacts.files == {}
    assert database.rows == {}


async def test_a_database_that_cannot_be_reached_removes_the_artifacts() -> None:
    database, artifacts = InMemoryDatabase(), InMemoryArtifactStore()
    fit_model = FitModel(
        lambda: CannotConnect(database), artifacts, InMemoryChangeBoard(), FixedClock(), LIMITS
    )
    with pytest.raises(DatabaseUnavailable):
        await fit_model(command())
    assert artifacts.files == {}
    assert database.rows == {}
    assert database.last_versions == {}


async def test_a_commit_of_unknown_outcome_keeps_the_artifacts_a_row_may_reference() -> None:
    database, artifacts = InMemoryDatabase(), InMemoryArtifactStore()
    fit_model = FitModel(
        lambda: CommitFailsAfterApplying(database), artifacts, InMemoryChangeBoard(), FixedClock(), LIMITS
    )
    with pytest.raises(DatabaseUnavailable):
        await fit_model(command())
    row = database.rows[("cpu", 1)]
    assert await artifacts.load(row.model)
    assert await artifacts.load(row.data) == b"as sent"


async def test_large_batches_are_worked_on_off_the_event_loop_thread() -> None:
    loop_thread = threading.current_thread()
    small = await run_cpu_bound(OFFLOAD_THRESHOLD - 1, threading.current_thread)
    large = await run_cpu_bound(OFFLOAD_THRESHOLD, threading.current_thread)
    assert small is loop_thread
    assert large is not loop_thread


async def test_a_version_deleted_while_it_is_being_read_is_not_found_rather_than_damaged() -> None:
    database = InMemoryDatabase()

    class DeletedMidRead(InMemoryArtifactStore):
        """Another request deletes the series between the row lookup and the artifact read."""

        deleting = False

        async def load(self, ref: ArtifactRef) -> bytes:
            if not self.deleting:
                self.deleting = True
                await DeleteVersions(
                    lambda: InMemoryUnitOfWork(database), self, ModelStates(self), InMemoryChangeBoard()
                ).series("cpu")
            return await super().load(ref)

    artifacts = DeletedMidRead()
    uow_factory = lambda: InMemoryUnitOfWork(database)  # noqa: E731
    await FitModel(uow_factory, artifacts, InMemoryChangeBoard(), FixedClock(), LIMITS)(command())
    with pytest.raises(SeriesNotFound):
        await Predict(VersionLookup(uow_factory, ModelStates(artifacts), InMemoryChangeBoard()))(
            "cpu", None, 1, 1.0, Threshold()
        )


async def test_a_fit_cancelled_while_writing_leaves_no_artifact() -> None:
    database = InMemoryDatabase()
    entered, release = asyncio.Event(), asyncio.Event()

    class SlowDataStore(InMemoryArtifactStore):
        async def save_training_data(self, series_id: SeriesId, content: bytes) -> ArtifactRef:
            entered.set()
            await release.wait()
            return await super().save_training_data(series_id, content)

    artifacts = SlowDataStore()
    fit = asyncio.ensure_future(
        FitModel(
            lambda: InMemoryUnitOfWork(database), artifacts, InMemoryChangeBoard(), FixedClock(), LIMITS
        )(command())
    )
    await entered.wait()
    fit.cancel()
    with pytest.raises(asyncio.CancelledError):
        await fit
    release.set()
    for _ in range(10):
        await asyncio.sleep(0)
    assert artifacts.files == {}
    assert database.rows == {}
