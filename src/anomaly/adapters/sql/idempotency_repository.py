"""Idempotency keys in SQL: a claim is an INSERT that loses to any row already there."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from anomaly.adapters.sql.errors import database_errors
from anomaly.adapters.sql.tables import idempotency_keys as table
from anomaly.adapters.sql.upsert import dialect_insert
from anomaly.adapters.sql.write_state import WriteState
from anomaly.domain.idempotency import IdempotencyRecord
from anomaly.ports.errors import StorageError


class SqlIdempotencyRepository:
    def __init__(self, connection: AsyncConnection, transaction: WriteState) -> None:
        self._connection = connection
        self._before_write = transaction.before_write

    async def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        await self._before_write()
        insert = (
            dialect_insert(self._connection)(table)
            .values(**_row(record))
            .on_conflict_do_nothing(index_elements=[table.c.caller, table.c.key])
            .returning(table.c.caller)
        )
        existing = sa.select(table).where(_same(record.caller, record.key))
        if self._connection.dialect.name == "postgresql":
            # SQLite needs no row lock: the INSERT above made this transaction the only writer.
            existing = existing.with_for_update()
        with database_errors("claiming an idempotency key"):
            # The row the INSERT lost to may be gone by the time it is read (released or expired
            # meanwhile): then the key is free again, and the INSERT is tried once more.
            for _ in range(3):
                if (await self._connection.execute(insert)).first() is not None:
                    return None
                row = (await self._connection.execute(existing)).mappings().one_or_none()
                if row is not None:
                    return _record(row)
        raise StorageError("an idempotency key kept vanishing while it was being claimed")

    async def replace(self, record: IdempotencyRecord) -> None:
        await self._before_write()
        statement = sa.update(table).where(_same(record.caller, record.key)).values(**_row(record))
        with database_errors("taking over an idempotency key"):
            await self._connection.execute(statement)

    async def complete(self, claim: IdempotencyRecord, status: int, response: bytes) -> bool:
        await self._before_write()
        statement = (
            sa.update(table)
            .where(_held(claim), table.c.status.is_(None))
            .values(status=status, response=response)
        )
        with database_errors("recording an idempotent response"):
            return bool((await self._connection.execute(statement)).rowcount == 1)

    async def release(self, claim: IdempotencyRecord) -> None:
        await self._before_write()
        statement = sa.delete(table).where(_held(claim), table.c.status.is_(None))
        with database_errors("releasing an idempotency key"):
            await self._connection.execute(statement)

    async def delete_expired(self, now: datetime) -> int:
        await self._before_write()
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


def _row(record: IdempotencyRecord) -> dict[str, object]:
    return {
        "caller": record.caller,
        "key": record.key,
        "fingerprint": record.fingerprint,
        "status": record.status,
        "response": record.response,
        "created_at": record.created_at,
        "expires_at": record.expires_at,
        "locked_until": record.locked_until,
    }


def _record(row: RowMapping) -> IdempotencyRecord:
    return IdempotencyRecord(
        caller=row["caller"],
        key=row["key"],
        fingerprint=row["fingerprint"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        locked_until=row["locked_until"],
        status=row["status"],
        response=row["response"],
    )
