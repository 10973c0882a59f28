"""Use case: judge one point against a series' latest or pinned model version."""

from dataclasses import dataclass

from anomaly.domain.detection import Band, Threshold, Verdict, band, judge
from anomaly.domain.model import ModelState
from anomaly.domain.series_id import SeriesId
from anomaly.domain.time_series import validate_point
from anomaly.ports.artifacts import ArtifactReader
from anomaly.ports.version_rows import VersionRows
from anomaly.use_cases.find_version import find_version


@dataclass(frozen=True, slots=True)
class Prediction:
    version: int
    verdict: Verdict
    band: Band
    state: ModelState


class Predict:
    def __init__(self, rows: VersionRows, artifacts: ArtifactReader) -> None:
        self._rows = rows
        self._artifacts = artifacts

    async def __call__(
        self, series_id: str, version: int | None, timestamp: int, value: float, threshold: Threshold
    ) -> Prediction:
        series = SeriesId(series_id)
        validate_point(timestamp, value)
        stored, state = await find_version(self._rows, self._artifacts, series, version)
        limits = band(state, threshold)
        return Prediction(
            version=stored.version,
            verdict=judge(state, value, threshold, limits),
            band=limits,
            state=state,
        )
