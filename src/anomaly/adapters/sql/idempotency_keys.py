"""Idempotency keys in SQL: a claim is an INSERT that loses to any row already there."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from anomaly.adapters.changed_series import ChangedSeries
from anomaly.adapters.sql.errors import database_errors
from anomaly.adapters.sql.tables import KEPT_STATUS, idempotency_from_row, idempotency_row
from anomaly.adapters.sql.tables import idempotency_keys as table
from anomaly.domain.idempotency import IdempotencyRecord
from anomaly.ports.errors import StorageError


class SqlIdempotencyKeys:
    """In a write unit of work's transaction. `insert` is the dialect's INSERT (for ON CONFLICT);
    `lock_existing` reads the row a claim lost to FOR UPDATE, where the database needs it to."""

    def __init__(
        self, connection: AsyncConnection, changed: ChangedSeries, insert: Any, lock_existing: bool
    ) -> None:
        self._connection = connection
        self._changed = changed
        self._insert = insert
        self._lock_existing = lock_existing

    async def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        self._changed.check_open()
        insert = (
            self._insert(table)
            .values(**idempotency_row(record))
            .on_conflict_do_nothing(index_elements=[table.c.caller, table.c.key])
            .returning(table.c.caller)
        )
        existing = sa.select(table).where(_same(record.caller, record.key))
        if self._lock_existing:
            existing = existing.with_for_update()
        with database_errors("claiming an idempotency key"):
            # The row the INSERT lost to may be gone by the time it is read (released or expired
            # meanwhile): then the key is free again, and the INSERT is tried once more.
            for _ in range(3):
                if (await self._connection.execute(insert)).first() is not None:
                    return None
                row = (await self._connection.execute(existing)).mappings().one_or_none()
                if row is not None:
                    return idempotency_from_row(row)
        raise StorageError("an idempotency key kept vanishing while it was being claimed")

    async def replace(self, record: IdempotencyRecord) -> None:
        self._changed.check_open()
        statement = sa.update(table).where(_same(record.caller, record.key)).values(**idempotency_row(record))
        with database_errors("taking over an idempotency key"):
            await self._connection.execute(statement)

    async def complete(self, claim: IdempotencyRecord, reply: bytes) -> bool:
        self._changed.check_open()
        statement = (
            sa.update(table)
            .where(_held(claim), table.c.status.is_(None))
            .values(status=KEPT_STATUS, response=reply)
        )
        with database_errors("recording an idempotent reply"):
            return bool((await self._connection.execute(statement)).rowcount == 1)

    async def release(self, claim: IdempotencyRecord) -> None:
        self._changed.check_open()
        statement = sa.delete(table).where(_held(claim), table.c.status.is_(None))
        with database_errors("releasing an idempotency key"):
            await self._connection.execute(statement)

    async def delete_expired(self, now: datetime) -> int:
        self._changed.check_open()
        statement = sa.delete(table).where(table.c.expires_at <= now)
        with database_errors("deleting expired idempotency keys"):
            result = await self._connection.execute(statement)
        return int(result.rowcount)


def _same(caller: str, key: str) -> sa.ColumnElement[bool]:
    return sa.and_(table.c.caller == caller, table.c.key == key)


def _held(claim: IdempotencyRecord) -> sa.ColumnElement[bool]:
    # A claim is known by when it was made: taking a key over happens only once the previous
    # claim's lease has run out, so two claims of one key never share that instant.
    return sa.and_(_same(claim.caller, claim.key), table.c.created_at == claim.created_at)
