"""Version lookups in memory, each on the committed state, like the SQL lookups outside any unit of work."""

from anomaly.adapters.memory.database import InMemoryDatabase
from anomaly.adapters.memory.versions import InMemoryVersions
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId


class InMemoryVersionRows:
    def __init__(self, database: InMemoryDatabase) -> None:
        self._versions = InMemoryVersions(database)

    async def get(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        return await self._versions.get(series_id, version)

    async def latest(self, series_id: SeriesId) -> ModelVersion | None:
        return await self._versions.latest(series_id)
