"""Port: which artifacts the registry still refers to, for the garbage collector."""

from typing import Protocol

from anomaly.domain.series_id import SeriesId


class ArtifactReferences(Protocol):
    async def artifact_locations(self, series_id: SeriesId) -> set[str]:
        """Where every stored version of the series keeps its artifacts."""
        ...
