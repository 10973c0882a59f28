"""Use cases for operators: can the service serve, and how many series have been trained."""

from anomaly.ports.artifacts import ArtifactStorageProbe
from anomaly.ports.database_probe import DatabaseProbe
from anomaly.ports.units_of_work import Reads


class ServiceStatus:
    def __init__(self, reads: Reads, probe: DatabaseProbe, artifacts: ArtifactStorageProbe) -> None:
        self._reads = reads
        self._probe = probe
        self._artifacts = artifacts

    async def ready(self) -> None:
        """Return when the service can serve: the database answers, its schema is the one this code
        expects, and artifacts can be written. Otherwise raise the `StorageError` that says why."""
        await self._probe.check()
        await self._artifacts.check_writable()

    async def series_trained(self) -> int:
        async with self._reads() as uow:
            return await uow.listings.count_series()
