"""Port: removing version rows, inside a write unit of work."""

from typing import Protocol

from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId


class VersionRemovals(Protocol):
    """Removals never lower a series' counter: a deleted number is never handed out again."""

    async def delete_version(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        """Remove one version's row and return it; None when there was none."""
        ...

    async def delete_series(self, series_id: SeriesId) -> list[ModelVersion]:
        """Remove every version row of a series, newest first (its counter stays), and return them."""
        ...
