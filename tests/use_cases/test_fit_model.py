"""FitModel on in-memory adapters: what a fit stores, and what a failed fit leaves behind."""

import asyncio
import json
import threading

import pytest

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore, InMemoryStagedFit
from anomaly.adapters.memory.version_recorder import InMemoryRecorder
from anomaly.adapters.memory.version_rows import InMemoryVersionRows
from anomaly.domain.errors import InvalidInput
from anomaly.domain.model_format import decode_model
from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ArtifactRef, ModelVersion, VersionDraft
from anomaly.domain.series_id import SeriesId
from anomaly.ports.errors import ArtifactStorageFull, CommitOutcomeUnknown, DatabaseUnavailable
from anomaly.ports.version_recorder import Receipt
from anomaly.use_cases.fit_model import FitCommand
from anomaly.use_cases.offload import OFFLOAD_THRESHOLD, run_cpu_bound
from tests.support.fakes import Fakes

BODY = b'{"timestamps": [100, 101, 102, 103], "values": [1.0, 2.0, 3.0, 6.0]}'
CPU = SeriesId("cpu")


def command(series: str = "cpu", body: bytes = BODY) -> FitCommand:
    return FitCommand(series_id=series, batch=body)


class FullDisk(InMemoryArtifactStore):
    """Stores the model state, then finds no room for the training data."""

    def stage(self, series_id: SeriesId, training_data: bytes | bytearray) -> InMemoryStagedFit:
        class HalfWritten(InMemoryStagedFit):
            async def keep(self, model: Model) -> tuple[ArtifactRef, ArtifactRef]:
                await super().keep(model)
                raise ArtifactStorageFull("no space left to write the training data")

        return HalfWritten(self, series_id, bytes(training_data))


class Unreachable:
    async def record(self, draft: VersionDraft, receipt: Receipt | None = None) -> ModelVersion:
        raise DatabaseUnavailable("database unreachable while connecting")


class AppliedButUnacknowledged(InMemoryRecorder):
    """The connection drops after the database applied the commit: the outcome is unknown to us."""

    async def record(self, draft: VersionDraft, receipt: Receipt | None = None) -> ModelVersion:
        await super().record(draft, receipt)
        raise CommitOutcomeUnknown("connection lost while committing")


async def test_a_fit_records_the_version_with_its_artifacts_and_summary() -> None:
    fakes = Fakes()
    recorded = await fakes.fit_model()(command())
    row = fakes.database.rows[("cpu", 1)]
    assert recorded == row
    assert (row.summary.mean, row.summary.points_used) == (3.0, 4)
    assert (row.summary.first_timestamp, row.summary.last_timestamp) == (100, 103)
    assert await fakes.artifacts.load(row.data) == BODY  # the batch as it was sent
    stored = decode_model(await fakes.artifacts.load(row.model))
    assert stored.summary() == row.summary
    assert (row.kind, row.parameters) == (stored.kind, stored.parameters) == ("gaussian", {"half_life": None})
    assert row.created_at == fakes.clock.now()


async def test_a_fit_records_the_kind_and_parameters_its_batch_names() -> None:
    fakes = Fakes()
    body = (
        b'{"timestamps": [1, 2, 3], "values": [1.0, 2.0, 6.0],'
        b' "kind": "gaussian", "parameters": {"half_life": 50}}'
    )
    await fakes.fit_model()(command(body=body))
    row = fakes.database.rows[("cpu", 1)]
    assert (row.kind, row.parameters) == ("gaussian", {"half_life": 50.0})
    stored = decode_model(await fakes.artifacts.load(row.model))
    assert (stored.kind, stored.parameters) == ("gaussian", {"half_life": 50.0})
    assert row.summary.mean == 3.0
    # Parameters are an object whose repeated keys two parsers could read differently: such a batch
    # is stored as it was read, model and all.
    assert json.loads(await fakes.artifacts.load(row.data)) == json.loads(body)
    repeated = body.replace(b'"half_life": 50', b'"half_life": null, "half_life": 50')
    await fakes.fit_model()(command(body=repeated))
    assert json.loads(await fakes.artifacts.load(fakes.database.rows[("cpu", 2)].data)) == json.loads(body)


async def test_a_batch_that_could_be_read_two_ways_is_stored_as_it_was_read() -> None:
    store = InMemoryArtifactStore()
    fakes = Fakes(artifacts=store)
    twice = b'{"timestamps": [1, 2, 3], "values": [9.0, 9.0, 9.0], "values": [1.0, 2.0, 3.0]}'
    await fakes.fit_model()(command(body=twice))
    row = fakes.database.rows[("cpu", 1)]
    assert row.summary.mean == 2.0
    assert await fakes.artifacts.load(row.data) == b'{"timestamps":[1,2,3],"values":[1.0,2.0,3.0]}'
    assert sorted(store.files) == sorted([row.model.location, row.data.location])


@pytest.mark.parametrize(
    ("series", "body", "field"),
    [
        ("cpu", b'{"timestamps": [1, 2], "values": [1.0, 2.0]}', "values"),
        ("cpu", b'{"timestamps": [1, 2, 2], "values": [1.0, 2.0, 3.0]}', "timestamps[2]"),
        ("cpu", b'{"timestamps": [1, 2, 3], "values": [1.0, "2", 3.0]}', "values[1]"),
        ("..", BODY, "series_id"),
        ("cpu", b'{"timestamps": [1, 2, 3], "values": [1.0, 2.0, 3.0], "kind": "arima"}', "kind"),
        (
            "cpu",
            b'{"timestamps": [1, 2, 3], "values": [1.0, 2.0, 3.0], "parameters": {"period": 7}}',
            "parameters.period",
        ),
        (
            "cpu",
            b'{"timestamps": [1, 2, 3], "values": [1.0, 2.0, 3.0], "parameters": {"half_life": 0}}',
            "parameters.half_life",
        ),
    ],
)
async def test_an_invalid_batch_stores_nothing(series: str, body: bytes, field: str) -> None:
    store = InMemoryArtifactStore()
    fakes = Fakes(artifacts=store)
    with pytest.raises(InvalidInput) as raised:
        await fakes.fit_model()(command(series, body))
    assert raised.value.field == field
    assert store.files == {}
    assert fakes.database.rows == {}


async def test_a_failed_artifact_write_leaves_nothing() -> None:
    store = FullDisk()
    fakes = Fakes(artifacts=store)
    with pytest.raises(ArtifactStorageFull):
        await fakes.fit_model()(command())
    assert store.files == {}
    assert fakes.database.rows == {}


async def test_a_database_that_cannot_be_reached_removes_the_artifacts() -> None:
    store = InMemoryArtifactStore()
    fakes = Fakes(artifacts=store, recorder=Unreachable())
    with pytest.raises(DatabaseUnavailable):
        await fakes.fit_model()(command())
    assert store.files == {}
    assert fakes.database.rows == {}
    assert fakes.database.last_versions == {}


async def test_a_commit_of_unknown_outcome_keeps_the_artifacts_a_row_may_reference() -> None:
    fakes = Fakes()
    fakes.recorder = AppliedButUnacknowledged(fakes.writes)
    with pytest.raises(CommitOutcomeUnknown):
        await fakes.fit_model()(command())
    row = fakes.database.rows[("cpu", 1)]
    assert await fakes.artifacts.load(row.model)
    assert await fakes.artifacts.load(row.data) == BODY
    # And the series is marked: a process that cached its rows must look again.
    assert fakes.changes.stamp(CPU) != 0
    assert await InMemoryVersionRows(fakes.database).latest(CPU) == row


async def test_a_fit_cancelled_while_it_writes_leaves_no_artifact() -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    class SlowDisk(InMemoryArtifactStore):
        def stage(self, series_id: SeriesId, training_data: bytes | bytearray) -> InMemoryStagedFit:
            class Slow(InMemoryStagedFit):
                async def keep(self, model: Model) -> tuple[ArtifactRef, ArtifactRef]:
                    kept = await super().keep(model)
                    entered.set()
                    await release.wait()
                    return kept

            return Slow(self, series_id, bytes(training_data))

    store = SlowDisk()
    fakes = Fakes(artifacts=store)
    fit = asyncio.ensure_future(fakes.fit_model()(command()))
    await entered.wait()
    fit.cancel()
    with pytest.raises(asyncio.CancelledError):
        await fit
    assert store.files == {}
    assert fakes.database.rows == {}


class Held(InMemoryRecorder):
    """Records once `release` is set, or fails then with `failure`."""

    def __init__(self, fakes: Fakes, failure: Exception | None) -> None:
        super().__init__(fakes.writes)
        self.entered, self.release = asyncio.Event(), asyncio.Event()
        self._failure = failure

    async def record(self, draft: VersionDraft, receipt: Receipt | None = None) -> ModelVersion:
        self.entered.set()
        await self.release.wait()
        if self._failure is not None:
            raise self._failure
        return await super().record(draft, receipt)


@pytest.mark.parametrize(
    ("failure", "kept"),
    [
        (DatabaseUnavailable("database busy: no turn to write within 5 s"), False),
        (None, True),
        (CommitOutcomeUnknown("connection lost while committing"), True),
    ],
    ids=["fails", "commits", "of-unknown-outcome"],
)
async def test_a_fit_cancelled_while_it_records_leaves_its_files_only_if_they_may_be_used(
    failure: Exception | None, kept: bool
) -> None:
    store = InMemoryArtifactStore()
    fakes = Fakes(artifacts=store)
    recorder = Held(fakes, failure)
    fakes.recorder = recorder
    fit = asyncio.ensure_future(fakes.fit_model()(command()))
    await recorder.entered.wait()
    fit.cancel()
    with pytest.raises(asyncio.CancelledError):
        await fit
    # The recording goes on to its end, and its outcome decides.
    recorder.release.set()
    for _ in range(100):
        await asyncio.sleep(0)
    assert len(store.files) == (2 if kept else 0)
    assert len(fakes.database.rows) == (0 if failure is not None else 1)


async def test_large_batches_are_worked_on_off_the_event_loop_thread() -> None:
    loop_thread = threading.current_thread()
    small = await run_cpu_bound(OFFLOAD_THRESHOLD - 1, threading.current_thread)
    large = await run_cpu_bound(OFFLOAD_THRESHOLD, threading.current_thread)
    assert small is loop_thread
    assert large is not loop_thread
