"""Use case: judge a batch of points at once against a series' latest or pinned model version."""

from dataclasses import dataclass

from anomaly.domain.detection import Threshold
from anomaly.domain.model_kind import Judgement
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.domain.time_series import BatchLimits, RawTimestamps, RawValues, TimeSeries
from anomaly.ports.artifacts import ArtifactReader
from anomaly.ports.version_rows import VersionRows
from anomaly.use_cases.find_version import find_version
from anomaly.use_cases.offload import run_cpu_bound


@dataclass(frozen=True, slots=True)
class Detection:
    version: ModelVersion
    judgement: Judgement


class Detect:
    def __init__(self, rows: VersionRows, artifacts: ArtifactReader, max_points: int) -> None:
        self._rows = rows
        self._artifacts = artifacts
        # The rules of a training batch, but any number of points down to none, in any order.
        self._limits = BatchLimits(min_points=0, max_points=max_points, in_order=False)

    async def __call__(
        self,
        series_id: str,
        version: int | None,
        timestamps: RawTimestamps,
        values: RawValues,
        threshold: Threshold,
    ) -> Detection:
        series = SeriesId(series_id)
        batch = await run_cpu_bound(len(values), lambda: TimeSeries.parse(timestamps, values, self._limits))
        stored, model = await find_version(self._rows, self._artifacts, series, version)
        judgement = await run_cpu_bound(
            len(values), lambda: model.judge(batch.timestamps, batch.values, threshold)
        )
        return Detection(version=stored, judgement=judgement)
