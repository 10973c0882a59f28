"""In-memory units of work, like the SQL ones: reads of the committed state, and writes staged in
turn (one at a time) and applied together at commit."""

from types import TracebackType
from typing import Self

from anomaly.adapters.changed_series import ChangedSeries
from anomaly.adapters.memory.database import InMemoryDatabase, Staged
from anomaly.adapters.memory.idempotency_keys import InMemoryIdempotencyKeys
from anomaly.adapters.memory.versions import InMemoryVersions
from anomaly.domain.errors import VersionConflict
from anomaly.domain.model_version import ModelVersion, VersionDraft
from anomaly.domain.versioning import next_version
from anomaly.ports.series_changes import SeriesChanges


class InMemoryReadUnitOfWork:
    def __init__(self, database: InMemoryDatabase) -> None:
        self.rows = self.listings = self.references = InMemoryVersions(database)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


class InMemoryWriteUnitOfWork:
    """`committed` tells a test whether its changes were applied."""

    def __init__(self, database: InMemoryDatabase, changes: SeriesChanges) -> None:
        self._database = database
        self._staged = Staged()
        self.changed = ChangedSeries(changes)
        self.rows = self.removals = InMemoryVersions(database, self._staged, self.changed)
        self.idempotency = InMemoryIdempotencyKeys(database, self._staged, self.changed)
        self._holds_lock = False
        self.committed = False

    async def __aenter__(self) -> Self:
        await self._database.write_lock.acquire()
        self._holds_lock = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._release()

    def add_next(self, draft: VersionDraft) -> ModelVersion:
        """Number and stage a version (what the recorder does in the transaction)."""
        self.changed.changing(draft.series_id)
        series = draft.series_id.value
        last = self._staged.last_versions.get(series, self._database.last_versions.get(series))
        if draft.follows is not None:
            newest = max((number for (name, number) in self._database.rows if name == series), default=None)
            if newest != draft.follows:
                raise VersionConflict(series, draft.follows)
        version = draft.numbered(next_version(last))
        self._staged.last_versions[series] = version.version
        self._staged.rows[(series, version.version)] = version
        return version

    async def commit(self) -> None:
        self.changed.check_open()
        try:
            self._staged.apply_to(self._database)
            self.committed = True
        finally:
            self.changed.committed()
            self._release()

    def _release(self) -> None:
        if self._holds_lock:
            self._holds_lock = False
            self._database.write_lock.release()
