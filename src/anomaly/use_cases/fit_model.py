"""Use case: read a batch, fit a model, store its artifacts and record it as the series' next version."""

from dataclasses import dataclass

from anomaly.domain.model import ModelState, fit
from anomaly.domain.model_version import ModelVersion, VersionDraft
from anomaly.domain.series_id import SeriesId
from anomaly.domain.time_series import BatchLimits, TimeSeries
from anomaly.ports.artifacts import ArtifactWriter
from anomaly.ports.batch_reader import BatchReader, ReadBatch
from anomaly.ports.clock import Clock
from anomaly.ports.errors import CommitOutcomeUnknown
from anomaly.ports.version_recorder import Receipt, VersionRecorder
from anomaly.use_cases.offload import run_cpu_bound

# A point takes at least this many bytes of a serialised batch, so a batch's size in bytes bounds
# how many points it holds, which decides whether it is read and fitted on a worker thread.
FEWEST_BYTES_PER_POINT = 20


@dataclass(frozen=True, slots=True)
class FitCommand:
    """A batch for a series, as its client serialised it: kept as the version's training data."""

    series_id: str
    batch: bytes | bytearray


class FitModel:
    """Artifacts are written and synced first, then the version is recorded in one short step.

    No lock is held while files are written, a version row never exists without its artifacts, and
    a fit that fails before its commit leaves no artifact behind.
    """

    def __init__(
        self,
        reader: BatchReader,
        artifacts: ArtifactWriter,
        recorder: VersionRecorder,
        clock: Clock,
        limits: BatchLimits,
    ) -> None:
        self._reader = reader
        self._artifacts = artifacts
        self._recorder = recorder
        self._clock = clock
        self._limits = limits

    async def __call__(self, command: FitCommand, receipt: Receipt | None = None) -> ModelVersion:
        """Fit and record; with a `receipt`, its idempotency claim is completed with the version."""
        series_id = SeriesId(command.series_id)
        # Staged before it is read: the store may write a large batch while it is being read.
        artifacts = self._artifacts.stage(series_id, command.batch)
        try:
            batch, state = await run_cpu_bound(
                len(command.batch) // FEWEST_BYTES_PER_POINT, lambda: self._read_and_fit(command.batch)
            )
            if batch.restated is not None:
                await artifacts.discard()
                artifacts = self._artifacts.stage(series_id, batch.restated)
            model, data = await artifacts.keep(state)
        except BaseException:
            await artifacts.discard()
            raise
        draft = VersionDraft(
            series_id=series_id, model=model, data=data, state=state, created_at=self._clock.now()
        )
        # A commit whose outcome is unknown (it failed, or was cancelled) may have been applied, and
        # a row must never lose its artifacts: they stay, and the sweep removes them if unreferenced.
        try:
            return await self._recorder.record(draft, receipt)
        except CommitOutcomeUnknown:
            raise
        except Exception:
            await artifacts.discard()
            raise

    def _read_and_fit(self, serialised: bytes | bytearray) -> tuple[ReadBatch, ModelState]:
        batch = self._reader.read(serialised)
        return batch, fit(TimeSeries.parse(batch.timestamps, batch.values, self._limits))
