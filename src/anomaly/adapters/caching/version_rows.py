"""Version rows reused while their series has not changed in any process: predict's hot path."""

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass

from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.ports.series_changes import SeriesChanges
from anomaly.ports.version_rows import VersionRows

DEFAULT_CAPACITY = 65_536
# A row is read again at least this often, even with no mark: a process killed between a commit
# and its mark, or a change made to the database by hand, is seen within this time.
MAX_AGE_SECONDS = 1.0

_Key = tuple[str, int | None]  # (series, version), None for the latest


@dataclass(frozen=True, slots=True)
class _Found:
    stamp: int
    version: ModelVersion
    read_at: float


class CachedVersionRows:
    """Rows found for (series, version or latest), reused while the series' stamp has not moved.

    Every fit and delete marks its series after it commits and before its client hears of it, in
    whatever process it ran (see SeriesChanges), and a lookup takes the stamp before it reads. So a
    reused row is the one the registry would return now: "latest" is right the moment a fit or a
    delete is acknowledged anywhere, and the hot path of predict needs no database round trip.
    Only rows found are kept: an answer of None is read again every time.
    """

    def __init__(
        self,
        rows: VersionRows,
        changes: SeriesChanges,
        capacity: int = DEFAULT_CAPACITY,
        max_age_seconds: float = MAX_AGE_SECONDS,
    ) -> None:
        self._rows = rows
        self._changes = changes
        self._capacity = capacity
        self._max_age = max_age_seconds
        self._found: OrderedDict[_Key, _Found] = OrderedDict()
        # Reads under way, which lookups of the same key and stamp wait for rather than repeat:
        # when a hot row expires, every request in flight would otherwise read it at once.
        self._reading: dict[_Key, tuple[int, asyncio.Future[ModelVersion | None]]] = {}

    async def get(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        return await self._find(series_id, version)

    async def latest(self, series_id: SeriesId) -> ModelVersion | None:
        return await self._find(series_id, None)

    async def _find(self, series_id: SeriesId, version: int | None) -> ModelVersion | None:
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
        if stored is None:
            self._found.pop(key, None)
            return None
        self._found[key] = _Found(stamp, stored, now)
        self._found.move_to_end(key)
        if len(self._found) > self._capacity:
            self._found.popitem(last=False)
        return stored

    async def _read(self, series_id: SeriesId, version: int | None) -> ModelVersion | None:
        if version is None:
            return await self._rows.latest(series_id)
        return await self._rows.get(series_id, version)
