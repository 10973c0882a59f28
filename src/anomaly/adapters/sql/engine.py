"""Builds the async engine for a database URL, with the settings each backend needs to be safe under load."""

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry


def create_engine(url: str, *, pool_size: int, timeout_seconds: float) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, pool_size, timeout_seconds)
    return create_async_engine(
        url,
        # A fixed pool: opening a connection per request past it would cost more than waiting.
        pool_size=pool_size,
        max_overflow=0,
        # Reads run in autocommit mode (see SqlReadUnitOfWork): nothing to roll back when they end.
        skip_autocommit_rollback=True,
        pool_timeout=timeout_seconds,
        # No pre-ping: it costs a round trip per checkout. A connection found dead fails its request
        # with 503 and is replaced, so the pool still heals by itself after an outage.
        connect_args={"timeout": timeout_seconds, "command_timeout": timeout_seconds},
    )


def _sqlite_engine(url: str, pool_size: int, timeout_seconds: float) -> AsyncEngine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # The sqlite3 timeout is SQLite's busy timeout: how long a writer waits for another process.
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=timeout_seconds,
        connect_args={"timeout": timeout_seconds},
    )
    event.listen(engine.sync_engine, "connect", sqlite_pragmas)
    return engine


def sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # WAL lets readers run beside the writer; synchronous=FULL makes every commit durable.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()
