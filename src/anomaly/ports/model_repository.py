"""Port: the registry of model versions, and the counter that numbers them."""

from typing import Protocol

from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId


class ModelRepository(Protocol):
    """Model metadata, read and written inside a unit of work."""

    async def allocate_version(self, series_id: SeriesId) -> int:
        """Take the series' next version number (see `domain.versioning.next_version`).

        Atomic: concurrent units of work never receive the same number, and a unit of work that
        rolls back gives its number back, so committed versions are 1, 2, 3, ... in commit order.
        """
        ...

    async def add(self, version: ModelVersion) -> None:
        """Record a version whose number came from `allocate_version` in the same unit of work."""
        ...

    async def get(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        """One version, or None when the series has no such version."""
        ...

    async def list_versions(self, series_id: SeriesId) -> list[ModelVersion]:
        """Every stored version of a series, newest first."""
        ...
