"""Idempotency keys in memory, inside a write unit of work, like SqlIdempotencyKeys."""

from datetime import datetime

from anomaly.adapters.changed_series import ChangedSeries
from anomaly.adapters.memory.database import InMemoryDatabase, Staged
from anomaly.domain.idempotency import IdempotencyRecord


class InMemoryIdempotencyKeys:
    """The unit of work holds the database's write lock, so reading and then writing is atomic."""

    def __init__(self, database: InMemoryDatabase, staged: Staged, changed: ChangedSeries) -> None:
        self._database = database
        self._staged = staged
        self._changed = changed

    async def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        self._changed.check_open()
        existing = self._current(record.caller, record.key)
        if existing is None:
            self._staged.idempotency[(record.caller, record.key)] = record
        return existing

    async def replace(self, record: IdempotencyRecord) -> None:
        self._changed.check_open()
        self._staged.idempotency[(record.caller, record.key)] = record

    async def complete(self, claim: IdempotencyRecord, reply: bytes) -> bool:
        self._changed.check_open()
        if not self._holds(claim):
            return False
        self._staged.idempotency[(claim.caller, claim.key)] = claim.completed(reply)
        return True

    async def release(self, claim: IdempotencyRecord) -> None:
        self._changed.check_open()
        if self._holds(claim):
            self._staged.idempotency[(claim.caller, claim.key)] = None

    async def delete_expired(self, now: datetime) -> int:
        self._changed.check_open()
        # As in SQL, the unit of work's own writes count: its view is the database with them on top.
        view = {**self._database.idempotency, **self._staged.idempotency}
        expired = [key for key, record in view.items() if record is not None and record.expires_at <= now]
        for key in expired:
            self._staged.idempotency[key] = None
        return len(expired)

    def _holds(self, claim: IdempotencyRecord) -> bool:
        current = self._current(claim.caller, claim.key)
        return current is not None and current.created_at == claim.created_at and current.reply is None

    def _current(self, caller: str, key: str) -> IdempotencyRecord | None:
        if (caller, key) in self._staged.idempotency:
            return self._staged.idempotency[(caller, key)]
        return self._database.idempotency.get((caller, key))
