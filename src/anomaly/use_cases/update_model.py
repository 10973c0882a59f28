"""Use case: judge new points against a version, fold them into it, and record the result as the
series' next version, at a cost that depends on the new points only."""

from collections.abc import Callable
from dataclasses import dataclass

from anomaly.domain.detection import Threshold
from anomaly.domain.errors import InvalidInput
from anomaly.domain.idempotency import IdempotencyRecord
from anomaly.domain.model_kind import Judgement, Model
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.domain.time_series import BatchLimits, TimeSeries
from anomaly.ports.artifacts import ArtifactReader, ArtifactWriter
from anomaly.ports.batch_reader import BatchReader, ReadBatch
from anomaly.ports.clock import Clock
from anomaly.ports.version_recorder import Receipt, VersionRecorder
from anomaly.ports.version_rows import VersionRows
from anomaly.use_cases.find_version import find_version
from anomaly.use_cases.next_version import record_next_version


@dataclass(frozen=True, slots=True)
class UpdateCommand:
    """New points for a series, as its client serialised them, to fold into `version` (None: the
    newest, recorded only while it is still the newest), judged with `threshold` first."""

    series_id: str
    version: int | None
    batch: bytes | bytearray
    threshold: Threshold


@dataclass(frozen=True, slots=True)
class Update:
    version: ModelVersion  # the version recorded
    based_on: ModelVersion  # the version the points were folded into
    judgement: Judgement  # the new points, judged against `based_on` before it learnt them


@dataclass(frozen=True, slots=True)
class UpdateReceipt:
    """An idempotency claim to complete with the update, and how to write the reply it keeps."""

    claim: IdempotencyRecord
    reply: Callable[[Update], bytes]


class UpdateModel:
    def __init__(
        self,
        rows: VersionRows,
        reader: BatchReader,
        artifacts: ArtifactReader,
        writer: ArtifactWriter,
        recorder: VersionRecorder,
        clock: Clock,
        max_points: int,
    ) -> None:
        self._rows = rows
        self._reader = reader
        self._artifacts = artifacts
        self._writer = writer
        self._recorder = recorder
        self._clock = clock
        # Points as a stream sends them: timestamps may repeat or step back, and are learnt in order.
        self._limits = BatchLimits(min_points=1, max_points=max_points, in_order=False)

    async def __call__(self, command: UpdateCommand, receipt: UpdateReceipt | None = None) -> Update:
        """Update and record; with a `receipt`, its idempotency claim is completed with the reply."""
        series_id = SeriesId(command.series_id)
        based_on, model = await find_version(self._rows, self._artifacts, series_id, command.version)

        def receipt_for(judgement: Judgement) -> Receipt | None:
            if receipt is None:
                return None
            reply = receipt.reply
            return Receipt(receipt.claim, lambda version: reply(Update(version, based_on, judgement)))

        version, judgement = await record_next_version(
            series_id,
            command.batch,
            lambda: self._judge_and_fold(command, model),
            self._writer,
            self._recorder,
            self._clock,
            follows=based_on.version if command.version is None else None,
            receipt=receipt_for,
        )
        return Update(version=version, based_on=based_on, judgement=judgement)

    def _judge_and_fold(self, command: UpdateCommand, model: Model) -> tuple[ReadBatch, Model, Judgement]:
        batch = self._reader.read(command.batch)
        if batch.kind is not None or batch.parameters is not None:
            field = "kind" if batch.kind is not None else "parameters"
            raise InvalidInput(field, "an update keeps its version's kind and parameters; fit to change them")
        points = TimeSeries.parse(batch.timestamps, batch.values, self._limits)
        judgement = model.judge(points.timestamps, points.values, command.threshold)
        return batch, model.updated(points.timestamps, points.values), judgement
