"""Use case: make sure the artifact store belongs to the database the service uses, before anything
relies on it, and pair them on first use.

Every database sweeps the artifacts it does not refer to. A second database pointed at the same
store (a staging database, a leftover SQLite file when DATABASE_URL was forgotten) would sweep
every artifact of the first; so a store records the database it was first used with, and the
service refuses to start, and the sweep to run, with any other.
"""

from collections import defaultdict
from pathlib import PurePath

from anomaly.domain.model_version import StoredFile
from anomaly.domain.series_id import SeriesId
from anomaly.domain.store_pairing import DatabaseIdentity
from anomaly.ports.artifacts import ArtifactInventory
from anomaly.ports.errors import ArtifactStoreOfAnotherDatabase
from anomaly.ports.store_pairing import DatabaseIdentities, StoreOwnership
from anomaly.ports.units_of_work import Reads

# A store no database has claimed yet, but which holds artifacts, is claimed only if the database
# refers to some of them: checked on the artifacts of this many series at most.
SERIES_CHECKED = 20


class PairStore:
    def __init__(
        self,
        database: DatabaseIdentities,
        store: StoreOwnership,
        inventory: ArtifactInventory,
        reads: Reads,
    ) -> None:
        self._database = database
        self._store = store
        self._inventory = inventory
        self._reads = reads

    async def __call__(self, *, claim: bool = True) -> DatabaseIdentity:
        """The database's identity, once the store is known to be its own: claimed for it now (unless
        `claim` is False) if no database has claimed it yet. `ArtifactStoreOfAnotherDatabase`, naming
        both, if it belongs to another or holds artifacts this database does not know."""
        identity = await self._database.identity()
        owners = await self._store.owners()
        _refuse_others(identity, owners)
        if claim and any(owner is None for _, owner in owners):
            if all(owner is None for _, owner in owners):
                await self._refuse_strangers(identity, [place for place, _ in owners])
            await self._store.claim(identity)
            # Another database may have claimed a place at the same moment: the first claim stands.
            _refuse_others(identity, await self._store.owners())
        return identity

    async def _refuse_strangers(self, identity: DatabaseIdentity, places: list[str]) -> None:
        """A store no one has claimed, used before pairing existed: whoever starts first with it must
        not become its owner unless its versions live there."""
        by_series: dict[SeriesId, list[StoredFile]] = defaultdict(list)
        for stored in await self._inventory.inventory():
            if not stored.temporary:
                by_series[stored.series_id].append(stored)
        if not by_series:
            return
        for series_id in list(by_series)[:SERIES_CHECKED]:
            async with self._reads() as uow:
                referenced = {
                    PurePath(location).name for location in await uow.references.artifact_locations(series_id)
                }
            if any(PurePath(stored.location).name in referenced for stored in by_series[series_id]):
                return
        count = sum(len(files) for files in by_series.values())
        raise ArtifactStoreOfAnotherDatabase(
            f"the artifact folders {', '.join(places)} hold {count} artifacts and the database "
            f"{identity.name} (id {identity.id}) refers to none of them: they belong to another "
            "database. Point the service at that database, or at empty artifact folders for this one"
        )


def _refuse_others(identity: DatabaseIdentity, owners: list[tuple[str, DatabaseIdentity | None]]) -> None:
    for place, owner in owners:
        if owner is not None and owner.id != identity.id:
            raise ArtifactStoreOfAnotherDatabase(
                f"the artifact folder {place} belongs to the database {owner.name} (id {owner.id}), "
                f"not to {identity.name} (id {identity.id}): point the service at the database it "
                "belongs to, or at artifact folders of this database's own"
            )
