"""The dialect's INSERT, for ON CONFLICT clauses: PostgreSQL and SQLite spell them the same way."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect_insert(connection: AsyncConnection) -> Any:
    return INSERTS[connection.dialect.name]
