"""Ports: which database an artifact store belongs to, recorded on both sides.

Two databases sweeping one store would each delete the other's artifacts as unreferenced, so a
store records the database it was first used with and serves no other (see use_cases.pair_store).
"""

from typing import Protocol

from anomaly.domain.store_pairing import DatabaseIdentity


class DatabaseIdentities(Protocol):
    async def identity(self) -> DatabaseIdentity:
        """This database's identity; `SchemaMissing` if its schema (which makes it) was never migrated."""
        ...


class StoreOwnership(Protocol):
    async def owners(self) -> list[tuple[str, DatabaseIdentity | None]]:
        """Each place the store keeps artifacts in (a folder, say), by name, with the database it
        belongs to, or None if none has claimed it yet."""
        ...

    async def claim(self, owner: DatabaseIdentity) -> None:
        """Record `owner` in every place no database has claimed yet, durably; a place another
        claims at the same moment keeps whichever claim came first."""
        ...
