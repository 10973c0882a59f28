"""In-memory adapters of every port: fast, inspectable stand-ins for service and API tests."""

import asyncio
import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from anomaly.domain.idempotency import IdempotencyRecord
from anomaly.domain.model_version import ArtifactRef, ModelVersion, SeriesSummary, StoredFile, VersionDraft
from anomaly.domain.series_id import SeriesId
from anomaly.domain.versioning import next_version
from anomaly.ports.errors import ArtifactUnreadable


@dataclass
class InMemoryDatabase:
    """What the tables hold: the committed state shared by every unit of work."""

    last_versions: dict[str, int] = field(default_factory=dict)
    rows: dict[tuple[str, int], ModelVersion] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)
    # Plays the part of the row lock a SQL database takes on the version counter.
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class InMemoryModelRepository:
    def __init__(self, database: InMemoryDatabase) -> None:
        self._database = database
        self.staged_versions: dict[str, int] = {}
        self.holds_lock = False
        self.staged_rows: list[ModelVersion] = []
        self.staged_deletions: list[tuple[str, int]] = []

    async def add_next(self, draft: VersionDraft) -> ModelVersion:
        await self.lock()
        series = draft.series_id.value
        version = draft.numbered(
            next_version(self.staged_versions.get(series, self._database.last_versions.get(series)))
        )
        self.staged_versions[series] = version.version
        self.staged_rows.append(version)
        return version

    async def commit_next(self, draft: VersionDraft) -> ModelVersion:
        if self.holds_lock:  # every write takes the lock first
            raise RuntimeError("commit_next must be the only write of its unit of work")
        version = await self.add_next(draft)
        self._database.last_versions[version.series_id.value] = version.version
        self._database.rows[(version.series_id.value, version.version)] = version
        self.staged_versions.clear()
        self.staged_rows.clear()
        return version

    async def get(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        return self._database.rows.get((series_id.value, version))

    async def latest(self, series_id: SeriesId) -> ModelVersion | None:
        versions = self._versions(series_id)
        return versions[0] if versions else None

    async def list_versions(
        self, series_id: SeriesId, limit: int | None = None, offset: int = 0
    ) -> list[ModelVersion]:
        versions = self._versions(series_id)[offset:]
        return versions if limit is None else versions[:limit]

    async def count_versions(self, series_id: SeriesId) -> int:
        return len(self._versions(series_id))

    async def list_series(
        self, limit: int, offset: int = 0, prefix: str | None = None
    ) -> list[SeriesSummary]:
        names = sorted({series for series, _ in self._database.rows if series.startswith(prefix or "")})
        summaries = []
        for name in names[offset : offset + limit]:
            versions = self._versions(SeriesId(name))
            summaries.append(SeriesSummary(SeriesId(name), versions[0].version, len(versions)))
        return summaries

    async def count_series(self, prefix: str | None = None) -> int:
        return len({series for series, _ in self._database.rows if series.startswith(prefix or "")})

    async def artifact_locations(self, series_id: SeriesId) -> set[str]:
        return {ref.location for row in self._versions(series_id) for ref in (row.model, row.data)}

    async def delete_version(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        await self.lock()
        row = self._database.rows.get((series_id.value, version))
        if row is not None:
            self.staged_deletions.append((series_id.value, version))
        return row

    async def delete_series(self, series_id: SeriesId) -> list[ModelVersion]:
        await self.lock()
        rows = self._versions(series_id)
        self.staged_deletions.extend((series_id.value, row.version) for row in rows)
        return rows

    def _versions(self, series_id: SeriesId) -> list[ModelVersion]:
        rows = [row for (sid, _), row in self._database.rows.items() if sid == series_id.value]
        return sorted(rows, key=lambda row: row.version, reverse=True)

    async def lock(self) -> None:
        if not self.holds_lock:
            await self._database.write_lock.acquire()
            self.holds_lock = True


class InMemoryIdempotencyRepository:
    """Writes go straight to the shared dict: the repository holds the write lock while they happen."""

    def __init__(self, database: InMemoryDatabase, models: InMemoryModelRepository) -> None:
        self._database = database
        self._models = models
        self.staged: dict[tuple[str, str], IdempotencyRecord | None] = {}

    async def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        await self._models.lock()
        existing = self._current(record.caller, record.key)
        if existing is None:
            self.staged[(record.caller, record.key)] = record
        return existing

    async def replace(self, record: IdempotencyRecord) -> None:
        await self._models.lock()
        self.staged[(record.caller, record.key)] = record

    async def complete(self, claim: IdempotencyRecord, status: int, response: bytes) -> bool:
        await self._models.lock()
        if not self._holds(claim):
            return False
        self.staged[(claim.caller, claim.key)] = claim.completed(status, response)
        return True

    async def release(self, claim: IdempotencyRecord) -> None:
        await self._models.lock()
        if self._holds(claim):
            self.staged[(claim.caller, claim.key)] = None

    def _holds(self, claim: IdempotencyRecord) -> bool:
        current = self._current(claim.caller, claim.key)
        return current is not None and current.created_at == claim.created_at and current.status is None

    async def delete_expired(self, now: datetime) -> int:
        await self._models.lock()
        expired = [key for key, record in self._database.idempotency.items() if record.expires_at <= now]
        for key in expired:
            self.staged[key] = None
        return len(expired)

    def _current(self, caller: str, key: str) -> IdempotencyRecord | None:
        if (caller, key) in self.staged:
            return self.staged[(caller, key)]
        return self._database.idempotency.get((caller, key))


class InMemoryUnitOfWork:
    """Changes are staged and applied together at commit; `committed` tells a test whether they were."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self._database = database
        self.models = InMemoryModelRepository(database)
        self.idempotency = InMemoryIdempotencyRepository(database, self.models)
        self.committed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._release()

    async def commit(self) -> None:
        self._database.last_versions.update(self.models.staged_versions)
        for row in self.models.staged_rows:
            self._database.rows[(row.series_id.value, row.version)] = row
        for key in self.models.staged_deletions:
            self._database.rows.pop(key, None)
        for pair, record in self.idempotency.staged.items():
            if record is None:
                self._database.idempotency.pop(pair, None)
            else:
                self._database.idempotency[pair] = record
        self.committed = True
        self._release()

    def _release(self) -> None:
        self.models.staged_versions.clear()
        self.models.staged_rows.clear()
        self.models.staged_deletions.clear()
        self.idempotency.staged.clear()
        if self.models.holds_lock:
            self.models.holds_lock = False
            self._database.write_lock.release()


class InMemoryChangeBoard:
    """Series stamps for one process (or several simulated ones sharing this object)."""

    def __init__(self) -> None:
        self.stamps: dict[str, int] = {}
        self._marks = itertools.count(1)

    def stamp(self, series_id: SeriesId) -> int:
        return self.stamps.get(series_id.value, 0)

    def mark(self, series_id: SeriesId) -> None:
        self.stamps[series_id.value] = next(self._marks)


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current


class InMemoryArtifactStore:
    """Artifacts as bytes in a dict; `files` shows a test exactly what was stored."""

    def __init__(self, clock: FixedClock | None = None) -> None:
        self.files: dict[str, bytes] = {}
        self.saved_at: dict[str, datetime] = {}
        self._clock = clock or FixedClock()
        self._names = itertools.count(1)

    async def save_model(self, series_id: SeriesId, content: bytes) -> ArtifactRef:
        return self._save(f"memory://models/{series_id}/{next(self._names)}.json", content)

    async def save_training_data(self, series_id: SeriesId, content: bytes | bytearray) -> ArtifactRef:
        return self._save(f"memory://data/{series_id}/{next(self._names)}.json", content)

    async def load(self, ref: ArtifactRef) -> bytes:
        content = self.files.get(ref.location)
        if content is None:
            raise ArtifactUnreadable(ref.location, "is missing")
        if hashlib.sha256(content).hexdigest() != ref.sha256:
            raise ArtifactUnreadable(ref.location, "does not match its checksum")
        return content

    async def delete(self, ref: ArtifactRef) -> None:
        await self.remove(ref.location)

    async def inventory(self) -> list[StoredFile]:
        return [
            StoredFile(
                series_id=SeriesId(location.split("/")[3]),
                location=location,
                modified_at=self.saved_at[location],
                temporary=False,
            )
            for location in self.files
        ]

    async def remove(self, location: str) -> None:
        self.files.pop(location, None)
        self.saved_at.pop(location, None)

    def _save(self, location: str, content: bytes | bytearray) -> ArtifactRef:
        self.files[location] = bytes(content)
        self.saved_at[location] = self._clock.now()
        return ArtifactRef(location=location, sha256=hashlib.sha256(content).hexdigest(), size=len(content))


class AlwaysReady:
    """A database probe for adapters that have no database to lose."""

    async def check(self) -> None:
        return None
