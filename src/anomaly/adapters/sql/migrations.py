"""Runs the alembic migrations against a database URL, from any working directory, one process at
a time: replicas that start together all run `anomaly migrate`, and each must find the schema
either untouched or complete."""

import functools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from anomaly.adapters.sql.engine import create_engine
from anomaly.adapters.sql.sqlite.writer_turns import WriterTurns, lock_file_for

_Action = Callable[[Config], None]

# How long a migration may wait for another to finish, as for any of its statements.
_TIMEOUT_SECONDS = 30.0

# PostgreSQL: the advisory lock migrations take turns on (the bytes of "anomaly", as a number);
# taken by the migration's transaction and released with it, so a crashed migration never holds it.
_POSTGRES_LOCK = sa.text("SELECT pg_advisory_xact_lock(27424497596460153)")

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def migrations_folder() -> Path:
    """The repository's `migrations/` in a checkout; a copy inside the package in a built wheel."""
    for candidate in (_PACKAGE_ROOT / "migrations", _PACKAGE_ROOT.parents[1] / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("the alembic migrations folder is missing from this installation")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_folder()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@functools.cache
def head_revisions() -> frozenset[str]:
    """The revisions a database migrated by this code is at (alembic's heads, one unless branched)."""
    return frozenset(ScriptDirectory(str(migrations_folder())).get_heads())


async def upgrade(url: str, revision: str = "head") -> None:
    await _run(url, lambda config: command.upgrade(config, revision))


async def downgrade(url: str, revision: str) -> None:
    await _run(url, lambda config: command.downgrade(config, revision))


async def _run(url: str, action: _Action) -> None:
    engine = create_engine(url, pool_size=1, timeout_seconds=_TIMEOUT_SECONDS)
    try:
        async with _sqlite_writer_turn(engine), engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Before alembic reads the revision the database is at: a migration that waited
                # finds the one it waited for committed, and has nothing left to do.
                await connection.execute(_POSTGRES_LOCK)
            await connection.run_sync(_with_connection, url, action)
    finally:
        await engine.dispose()


@asynccontextmanager
async def _sqlite_writer_turn(engine: AsyncEngine) -> AsyncIterator[None]:
    """On SQLite, the writers' turn (the lock file beside the database, which every process of the
    service takes to write): other migrations, and the service's writes, wait for this one."""
    lock_file = lock_file_for(engine.url.database) if engine.dialect.name == "sqlite" else None
    if lock_file is None:
        yield
        return
    turns = WriterTurns(lock_file)
    await turns.take(_TIMEOUT_SECONDS)
    try:
        yield
    finally:
        turns.give_back()


def _with_connection(connection: Connection, url: str, action: _Action) -> None:
    # env.py runs on this connection instead of opening its own event loop.
    config = alembic_config(url)
    config.attributes["connection"] = connection
    action(config)
