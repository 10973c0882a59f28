"""Use case: validate a batch, fit a model, store its artifacts and record it as the series' next version."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from anomaly.domain.model import ModelState, fit
from anomaly.domain.model_format import encode_model_state
from anomaly.domain.model_version import ArtifactRef, VersionDraft
from anomaly.domain.series_id import SeriesId
from anomaly.domain.time_series import BatchLimits, RawTimestamps, RawValues, TimeSeries
from anomaly.ports.artifact_store import ArtifactStore
from anomaly.ports.clock import Clock
from anomaly.ports.series_changes import SeriesChanges
from anomaly.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from anomaly.use_cases.artifact_cleanup import remove_quietly
from anomaly.use_cases.offload import run_cpu_bound, run_off_loop


@dataclass(frozen=True, slots=True)
class FitCommand:
    """A batch as the client sent it; `training_data` is its serialised form, kept as the data artifact."""

    series_id: str
    timestamps: RawTimestamps
    values: RawValues
    training_data: bytes | bytearray


@dataclass(frozen=True, slots=True)
class SentBatch:
    """A batch as the client sent it, still to be decoded: `read` decodes `sent` into a FitCommand.

    `read` raises InvalidInput (or the edge's own error) for a batch it cannot take. The command's
    training data is `sent` itself unless the batch had to be re-encoded to be stored.
    """

    series_id: str
    sent: bytes | bytearray
    read: Callable[[], FitCommand]


# From this size a batch's bytes are written as its training data while they are being decoded:
# on a large batch each takes about as long as the other. A batch that then proves invalid has
# its file removed again.
WRITE_WHILE_READING_FROM = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FitResult:
    series_id: SeriesId
    version: int
    state: ModelState


Outcomes = asyncio.Future[tuple[ArtifactRef | BaseException, ArtifactRef | BaseException]]

# Work that must commit or roll back together with the version's row.
OnRecord = Callable[[UnitOfWork, FitResult], Awaitable[None]]


class FitModel:
    """Artifacts are written and synced first, then one short transaction numbers and records the version.

    No lock is held while files are written, a version row never exists without its artifacts, and
    a failed commit removes the artifacts it would have referenced.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        artifacts: ArtifactStore,
        changes: SeriesChanges,
        clock: Clock,
        limits: BatchLimits,
    ) -> None:
        self._uow_factory = uow_factory
        self._artifacts = artifacts
        self._changes = changes
        self._clock = clock
        self._limits = limits
        # Clean-ups of cancelled fits, referenced until they finish so that they are not collected.
        self._cleanups: set[asyncio.Future[None]] = set()

    async def __call__(self, batch: FitCommand | SentBatch, on_record: OnRecord | None = None) -> FitResult:
        """Fit and record; `on_record`, if given, runs in the recording transaction, before its commit."""
        series_id = SeriesId(batch.series_id)
        if isinstance(batch, SentBatch):
            if len(batch.sent) >= WRITE_WHILE_READING_FROM:
                return await self._fit_while_writing(series_id, batch, on_record)
            batch = batch.read()
        command = batch
        state = await run_cpu_bound(len(command.values), lambda: self._fit(command))
        model_ref, data_ref = await self._settle(
            self._artifacts.save_model(series_id, encode_model_state(state)),
            self._artifacts.save_training_data(series_id, command.training_data),
        )
        return await self._record(series_id, state, model_ref, data_ref, on_record)

    async def _fit_while_writing(
        self, series_id: SeriesId, batch: SentBatch, on_record: OnRecord | None
    ) -> FitResult:
        data = asyncio.ensure_future(self._artifacts.save_training_data(series_id, batch.sent))
        try:
            command, state = await run_off_loop(lambda: self._read_and_fit(batch))
        except BaseException:
            self._discard_when_written(data)
            raise
        if command.training_data is not batch.sent:
            # Re-encoded to be stored (see the edge's Batch.canonical): the bytes written are not it.
            self._discard_when_written(data)
            data = asyncio.ensure_future(self._artifacts.save_training_data(series_id, command.training_data))
        model_ref, data_ref = await self._settle(
            self._artifacts.save_model(series_id, encode_model_state(state)), data
        )
        return await self._record(series_id, state, model_ref, data_ref, on_record)

    async def _settle(
        self, model: Awaitable[ArtifactRef], data: Awaitable[ArtifactRef]
    ) -> tuple[ArtifactRef, ArtifactRef]:
        """Both artifacts' writes; if either fails, or the fit is cancelled, what was written is removed."""
        writing: Outcomes = asyncio.gather(model, data, return_exceptions=True)
        try:
            saved = await asyncio.shield(writing)
        except asyncio.CancelledError:
            # The writes finish on their threads anyway; remove their files once they have.
            self._discard_when_written(writing)
            raise
        refs = [outcome for outcome in saved if isinstance(outcome, ArtifactRef)]
        failures = [outcome for outcome in saved if isinstance(outcome, BaseException)]
        if failures:
            await self._discard(*refs)
            raise failures[0]
        return refs[0], refs[1]

    def _discard_when_written(self, writing: Awaitable[ArtifactRef] | Outcomes) -> None:
        """Once `writing` (one artifact's write, or a gather of both) is done, remove what it wrote."""

        async def discard() -> None:
            [outcome] = await asyncio.gather(writing, return_exceptions=True)
            # gather's result is a list at run time, whatever its type says
            written = outcome if isinstance(outcome, list | tuple) else [outcome]
            await self._discard(*(ref for ref in written if isinstance(ref, ArtifactRef)))

        cleanup = asyncio.ensure_future(discard())
        self._cleanups.add(cleanup)
        cleanup.add_done_callback(self._cleanups.discard)

    def _read_and_fit(self, batch: SentBatch) -> tuple[FitCommand, ModelState]:
        command = batch.read()
        return command, self._fit(command)

    def _fit(self, command: FitCommand) -> ModelState:
        return fit(TimeSeries.parse(command.timestamps, command.values, self._limits))

    async def _record(
        self,
        series_id: SeriesId,
        state: ModelState,
        model_ref: ArtifactRef,
        data_ref: ArtifactRef,
        on_record: OnRecord | None,
    ) -> FitResult:
        draft = VersionDraft(
            series_id=series_id, model=model_ref, data=data_ref, state=state, created_at=self._clock.now()
        )
        committing = False
        try:
            async with self._uow_factory() as uow:
                if on_record is None:
                    # Nothing else to commit with the version: one atomic step, the cheapest
                    # there is, and the series' counter is not held across round trips.
                    committing = True
                    recorded = await uow.models.commit_next(draft)
                    result = FitResult(series_id=series_id, version=recorded.version, state=state)
                else:
                    recorded = await uow.models.add_next(draft)
                    result = FitResult(series_id=series_id, version=recorded.version, state=state)
                    await on_record(uow, result)
                    committing = True
                    await uow.commit()
        except BaseException:
            # A commit that fails may still have been applied (the connection can drop before the
            # acknowledgement), so its artifacts stay: a row must never lose them. Unreferenced
            # files are swept later; before the commit nothing can reference them yet.
            if committing:
                self._changes.mark(series_id)
            else:
                await self._discard(model_ref, data_ref)
            raise
        # Before the client hears of the version, so any process it asks next knows of it.
        self._changes.mark(series_id)
        return result

    async def _discard(self, *refs: ArtifactRef) -> None:
        await remove_quietly(self._artifacts, list(refs))
