"""The in-memory database's identity, made with it."""

from anomaly.adapters.memory.database import InMemoryDatabase
from anomaly.domain.store_pairing import DatabaseIdentity


class InMemoryDatabaseIdentity:
    def __init__(self, database: InMemoryDatabase) -> None:
        self._database = database

    async def identity(self) -> DatabaseIdentity:
        return self._database.identity
