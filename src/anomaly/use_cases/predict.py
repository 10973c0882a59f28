"""Use case: judge one point against a series' latest or pinned model version."""

from dataclasses import dataclass

from anomaly.domain.detection import Band, Threshold, Verdict, band, judge
from anomaly.domain.model import ModelState
from anomaly.domain.series_id import SeriesId
from anomaly.domain.time_series import validate_point
from anomaly.use_cases.resolve_version import VersionLookup


@dataclass(frozen=True, slots=True)
class Prediction:
    version: int
    verdict: Verdict
    band: Band
    state: ModelState


class Predict:
    def __init__(self, versions: VersionLookup) -> None:
        self._versions = versions

    async def __call__(
        self, series_id: str, version: int | None, timestamp: int, value: float, threshold: Threshold
    ) -> Prediction:
        series = SeriesId(series_id)
        validate_point(timestamp, value)
        stored, state = await self._versions.load(series, version)
        limits = band(state, threshold)
        return Prediction(
            version=stored.version,
            verdict=judge(state, value, threshold, limits),
            band=limits,
            state=state,
        )
