"""Port: pages of the registry, for clients browsing series and versions."""

from typing import Protocol

from anomaly.domain.model_version import ModelVersion, SeriesSummary
from anomaly.domain.series_id import SeriesId


class VersionListings(Protocol):
    async def list_versions(
        self, series_id: SeriesId, limit: int | None = None, offset: int = 0
    ) -> list[ModelVersion]:
        """Stored versions of a series, newest first, `limit` of them after skipping `offset`."""
        ...

    async def count_versions(self, series_id: SeriesId) -> int:
        """How many versions of the series are stored."""
        ...

    async def list_series(
        self, limit: int, offset: int = 0, prefix: str | None = None
    ) -> list[SeriesSummary]:
        """Series with at least one stored version, ordered by id; only ids starting with `prefix`."""
        ...

    async def count_series(self, prefix: str | None = None) -> int:
        """How many series have at least one stored version (and an id starting with `prefix`)."""
        ...
