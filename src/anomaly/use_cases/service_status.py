"""Use cases for operators: is the database there, and how many series have been trained."""

from anomaly.ports.database_probe import DatabaseProbe
from anomaly.ports.units_of_work import Reads


class ServiceStatus:
    def __init__(self, reads: Reads, probe: DatabaseProbe) -> None:
        self._reads = reads
        self._probe = probe

    async def ready(self) -> None:
        """Raise `DatabaseUnavailable` when the database does not answer."""
        await self._probe.check()

    async def series_trained(self) -> int:
        async with self._reads() as uow:
            return await uow.listings.count_series()
