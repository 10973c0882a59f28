"""FitModel on in-memory adapters: what a fit stores, and what a failed fit leaves behind."""

import asyncio
import threading
from collections.abc import Callable

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
from anomaly.ports.artifact_store import ArtifactStore
from anomaly.ports.errors import ArtifactStorageFull, DatabaseUnavailable
from anomaly.ports.unit_of_work import UnitOfWorkFactory
from anomaly.use_cases.delete_versions import DeleteVersions
from anomaly.use_cases.fit_model import WRITE_WHILE_READING_FROM, FitCommand, FitModel, SentBatch
from anomaly.use_cases.model_states import ModelStates
from anomaly.use_cases.offload import OFFLOAD_THRESHOLD, run_cpu_bound
from anomaly.use_cases.predict import Predict
from anomaly.use_cases.resolve_version import VersionLookup

LIMITS = BatchLimits(min_points=3, max_points=1_000_000)


def fit_model_on(uow_factory: UnitOfWorkFactory, artifacts: ArtifactStore) -> FitModel:
    return FitModel(uow_factory, artifacts, InMemoryChangeBoard(), FixedClock(), LIMITS)


def command(
    series: str = "cpu", values: list[float] | None = None, training_data: bytes | bytearray = b"as sent"
) -> FitCommand:
    values = values or [1.0, 2.0, 3.0, 6.0]
    return FitCommand(
        series_id=series,
        timestamps=list(range(100, 100 + len(values))),
        values=values,
        training_data=training_data,
    )


class FailingDataStore(InMemoryArtifactStore):
    async def save_training_data(self, series_id: SeriesId, content: bytes | bytearray) -> ArtifactRef:
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
    fit_model = fit_model_on(lambda: InMemoryUnitOfWork(database), artifacts)
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
    fit_model = fit_model_on(lambda: InMemoryUnitOfWork(database), artifacts)
    with pytest.raises(InvalidInput):
        await fit_model(command(values=[1.0, 2.0]))
    with pytest.raises(InvalidInput, match="series_id"):
        await fit_model(command(series=".."))
    assert artifacts.files == {}
    assert database.rows == {}


async def test_a_failed_second_artifact_removes_the_first() -> None:
    database, artifacts = InMemoryDatabase(), FailingDataStore()
    fit_model = fit_model_on(lambda: InMemoryUnitOfWork(database), artifacts)
    with pytest.raises(ArtifactStorageFull):
        await fit_model(command())
    assert artifacts.files == {}
    assert database.rows == {}


async def test_a_database_that_cannot_be_reached_removes_the_artifacts() -> None:
    database, artifacts = InMemoryDatabase(), InMemoryArtifactStore()
    fit_model = fit_model_on(lambda: CannotConnect(database), artifacts)
    with pytest.raises(DatabaseUnavailable):
        await fit_model(command())
    assert artifacts.files == {}
    assert database.rows == {}
    assert database.last_versions == {}


async def test_a_commit_of_unknown_outcome_keeps_the_artifacts_a_row_may_reference() -> None:
    database, artifacts = InMemoryDatabase(), InMemoryArtifactStore()
    fit_model = fit_model_on(lambda: CommitFailsAfterApplying(database), artifacts)
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
    await fit_model_on(uow_factory, artifacts)(command())
    with pytest.raises(SeriesNotFound):
        await Predict(VersionLookup(uow_factory, ModelStates(artifacts), InMemoryChangeBoard()))(
            "cpu", None, 1, 1.0, Threshold()
        )


async def test_a_fit_cancelled_while_writing_leaves_no_artifact() -> None:
    database = InMemoryDatabase()
    entered, release = asyncio.Event(), asyncio.Event()

    class SlowDataStore(InMemoryArtifactStore):
        async def save_training_data(self, series_id: SeriesId, content: bytes | bytearray) -> ArtifactRef:
            entered.set()
            await release.wait()
            return await super().save_training_data(series_id, content)

    artifacts = SlowDataStore()
    fit = asyncio.ensure_future(fit_model_on(lambda: InMemoryUnitOfWork(database), artifacts)(command()))
    await entered.wait()
    fit.cancel()
    with pytest.raises(asyncio.CancelledError):
        await fit
    release.set()
    for _ in range(10):
        await asyncio.sleep(0)
    assert artifacts.files == {}
    assert database.rows == {}


def sent_batch(read: Callable[[], FitCommand], size: int = WRITE_WHILE_READING_FROM) -> SentBatch:
    return SentBatch(series_id="cpu", sent=b" " * size, read=read)


async def settle() -> None:
    # Let background clean-ups (which wait for writes on other tasks) run to their end.
    for _ in range(20):
        await asyncio.sleep(0)


async def test_a_large_batch_is_written_while_it_is_being_read() -> None:
    database = InMemoryDatabase()
    writing = threading.Event()

    class SignallingStore(InMemoryArtifactStore):
        async def save_training_data(self, series_id: SeriesId, content: bytes | bytearray) -> ArtifactRef:
            writing.set()
            return await super().save_training_data(series_id, content)

    artifacts = SignallingStore()
    batch = sent_batch(lambda: command(training_data=batch.sent) if writing.wait(5) else command())
    result = await fit_model_on(lambda: InMemoryUnitOfWork(database), artifacts)(batch)
    assert writing.is_set()
    assert await artifacts.load(database.rows[("cpu", result.version)].data) == batch.sent


async def test_a_large_batch_that_proves_invalid_leaves_nothing_behind() -> None:
    database, artifacts = InMemoryDatabase(), InMemoryArtifactStore()
    fit_model = fit_model_on(lambda: InMemoryUnitOfWork(database), artifacts)

    def unreadable() -> FitCommand:
        raise InvalidInput("values[7]", "must be a finite number")

    with pytest.raises(InvalidInput, match="values"):
        await fit_model(sent_batch(unreadable))
    with pytest.raises(InvalidInput):
        await fit_model(sent_batch(lambda: command(values=[1.0])))  # readable, too short to fit
    await settle()
    assert artifacts.files == {}
    assert database.rows == {}


async def test_a_large_batch_stored_re_encoded_keeps_only_the_re_encoded_bytes() -> None:
    database, artifacts = InMemoryDatabase(), InMemoryArtifactStore()
    fit_model = fit_model_on(lambda: InMemoryUnitOfWork(database), artifacts)
    result = await fit_model(sent_batch(lambda: command(training_data=b"re-encoded")))
    await settle()
    row = database.rows[("cpu", result.version)]
    assert await artifacts.load(row.data) == b"re-encoded"
    assert sorted(artifacts.files) == sorted([row.model.location, row.data.location])


async def test_a_large_batch_cancelled_while_it_is_read_leaves_no_artifact() -> None:
    database, artifacts = InMemoryDatabase(), InMemoryArtifactStore()
    reading, release = threading.Event(), threading.Event()

    def slow_read() -> FitCommand:
        reading.set()
        release.wait(5)
        return command()

    fit = asyncio.ensure_future(
        fit_model_on(lambda: InMemoryUnitOfWork(database), artifacts)(sent_batch(slow_read))
    )
    assert await asyncio.to_thread(reading.wait, 5)
    fit.cancel()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await fit
    await settle()
    assert artifacts.files == {}
    assert database.rows == {}
