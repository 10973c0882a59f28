"""Use case: read a batch, fit a model, store its artifacts and record it as the series' next version."""

from dataclasses import dataclass

from anomaly.domain.kinds import DEFAULT_KIND, kind_named
from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.domain.time_series import BatchLimits, TimeSeries
from anomaly.ports.artifacts import ArtifactWriter
from anomaly.ports.batch_reader import BatchReader, ReadBatch
from anomaly.ports.clock import Clock
from anomaly.ports.version_recorder import Receipt, VersionRecorder
from anomaly.use_cases.next_version import record_next_version


@dataclass(frozen=True, slots=True)
class FitCommand:
    """A batch for a series, as its client serialised it (naming the model's kind and parameters, or
    not): kept as the version's training data."""

    series_id: str
    batch: bytes | bytearray


class FitModel:
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
        version, _ = await record_next_version(
            SeriesId(command.series_id),
            command.batch,
            lambda: self._read_and_fit(command.batch),
            self._artifacts,
            self._recorder,
            self._clock,
            receipt=lambda _: receipt,
        )
        return version

    def _read_and_fit(self, serialised: bytes | bytearray) -> tuple[ReadBatch, Model, None]:
        batch = self._reader.read(serialised)
        kind = kind_named(batch.kind or DEFAULT_KIND)
        series = TimeSeries.parse(batch.timestamps, batch.values, self._limits)
        return batch, kind.fit(series, batch.parameters or {}), None
