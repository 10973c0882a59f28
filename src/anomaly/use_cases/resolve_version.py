"""Finds the version a request names (a pinned number, or the newest stored one) and its model state."""

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass

from anomaly.domain.errors import SeriesNotFound, VersionNotFound
from anomaly.domain.model import ModelState
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.ports.model_repository import ModelRepository
from anomaly.ports.series_changes import SeriesChanges
from anomaly.ports.unit_of_work import UnitOfWorkFactory
from anomaly.use_cases.errors import ModelUnreadable
from anomaly.use_cases.model_states import ModelStates

DEFAULT_CAPACITY = 65_536
# A row is read again at least this often, even with no mark: a process killed between a commit
# and its mark, or a change made to the database by hand, is seen within this time.
MAX_AGE_SECONDS = 1.0


async def resolve_version(models: ModelRepository, series_id: SeriesId, version: int | None) -> ModelVersion:
    found = await models.latest(series_id) if version is None else await models.get(series_id, version)
    if found is not None:
        return found
    if version is None or await models.latest(series_id) is None:
        raise SeriesNotFound(series_id.value)
    raise VersionNotFound(series_id.value, version)


@dataclass(frozen=True, slots=True)
class _Found:
    stamp: int
    version: ModelVersion
    read_at: float


class VersionLookup:
    """Rows found for (series, version or latest), reused while the series' stamp has not moved.

    Every fit and delete marks its series after it commits and before its client hears of it, in
    whatever process it ran (see SeriesChanges), and a lookup takes the stamp before it reads. So a
    reused row is the one the registry would return now: "latest" is right the moment a fit or a
    delete is acknowledged anywhere, and the hot path of predict needs no database round trip.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        states: ModelStates,
        changes: SeriesChanges,
        capacity: int = DEFAULT_CAPACITY,
        max_age_seconds: float = MAX_AGE_SECONDS,
    ) -> None:
        self._uow_factory = uow_factory
        self._states = states
        self._changes = changes
        self._capacity = capacity
        self._max_age = max_age_seconds
        self._found: OrderedDict[tuple[str, int | None], _Found] = OrderedDict()
        # Reads under way, which lookups of the same key and stamp wait for rather than repeat:
        # when a hot row expires, every request in flight would otherwise read it at once.
        self._reading: dict[tuple[str, int | None], tuple[int, asyncio.Future[ModelVersion]]] = {}

    async def find(self, series_id: SeriesId, version: int | None) -> ModelVersion:
        key = (series_id.value, version)
        stamp = self._changes.stamp(series_id)
        now = time.monotonic()
        found = self._found.get(key)
        if found is not None and found.stamp == stamp and now - found.read_at < self._max_age:
            self._found.move_to_end(key)
            return found.version
        reading = self._reading.get(key)
        if reading is not None and reading[0] == stamp:
            # Started with this very stamp: nothing has changed since it began.
            return await asyncio.shield(reading[1])
        read = asyncio.ensure_future(self._read(series_id, version))
        # Its outcome is always looked at, even when every lookup waiting for it was cancelled.
        read.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._reading[key] = (stamp, read)
        try:
            stored = await asyncio.shield(read)
        finally:
            if self._reading.get(key, (None, None))[1] is read:
                del self._reading[key]
        self._found[key] = _Found(stamp, stored, now)
        self._found.move_to_end(key)
        if len(self._found) > self._capacity:
            self._found.popitem(last=False)
        return stored

    async def _read(self, series_id: SeriesId, version: int | None) -> ModelVersion:
        async with self._uow_factory() as uow:
            return await resolve_version(uow.models, series_id, version)

    async def load(self, series_id: SeriesId, version: int | None) -> tuple[ModelVersion, ModelState]:
        """The version and its model state.

        The row is read first and the artifact after it, so a delete committed in between removes
        the file under us: that is the version being gone (404, or the new latest), not damage.
        """
        stored = await self.find(series_id, version)
        try:
            return stored, await self._states.load(stored)
        except ModelUnreadable:
            if await self.still_stored(stored):
                raise
        self._found.pop((series_id.value, version), None)
        stored = await self.find(series_id, version)
        return stored, await self._states.load(stored)

    async def still_stored(self, version: ModelVersion) -> bool:
        async with self._uow_factory() as uow:
            return await uow.models.get(version.series_id, version.version) is not None
