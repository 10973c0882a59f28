"""Use case: judge one point against a series' latest or pinned model version."""

from dataclasses import dataclass

from anomaly.domain.detection import Threshold
from anomaly.domain.model_kind import PointJudgement
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.domain.time_series import validate_point
from anomaly.ports.artifacts import ArtifactReader
from anomaly.ports.version_rows import VersionRows
from anomaly.use_cases.find_version import find_version


@dataclass(frozen=True, slots=True)
class Prediction:
    version: ModelVersion
    judgement: PointJudgement


class Predict:
    def __init__(self, rows: VersionRows, artifacts: ArtifactReader) -> None:
        self._rows = rows
        self._artifacts = artifacts

    async def __call__(
        self, series_id: str, version: int | None, timestamp: int, value: float, threshold: Threshold
    ) -> Prediction:
        series = SeriesId(series_id)
        validate_point(timestamp, value)
        stored, model = await find_version(self._rows, self._artifacts, series, version)
        return Prediction(version=stored, judgement=model.judge_point(timestamp, value, threshold))
