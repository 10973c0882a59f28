"""Use cases for operators: is the database there, and how many series have been trained."""

from anomaly.ports.database_probe import DatabaseProbe
from anomaly.ports.unit_of_work import UnitOfWorkFactory


class ServiceStatus:
    def __init__(self, uow_factory: UnitOfWorkFactory, probe: DatabaseProbe) -> None:
        self._uow_factory = uow_factory
        self._probe = probe

    async def ready(self) -> None:
        """Raise `DatabaseUnavailable` when the database does not answer."""
        await self._probe.check()

    async def series_trained(self) -> int:
        async with self._uow_factory() as uow:
            return await uow.models.count_series()
