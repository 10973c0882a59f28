"""Port: one version row of a series, looked up by number or as the newest."""

from typing import Protocol

from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId


class VersionRows(Protocol):
    async def get(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        """One version, or None when the series has no such version."""
        ...

    async def latest(self, series_id: SeriesId) -> ModelVersion | None:
        """The series' newest stored version, or None when it has none."""
        ...
