"""Runs the alembic migrations against a database URL, from any working directory."""

import functools
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from anomaly.adapters.sql.engine import create_engine

_Action = Callable[[Config], None]

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
    engine = create_engine(url, pool_size=1, timeout_seconds=30.0)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_with_connection, url, action)
    finally:
        await engine.dispose()


def _with_connection(connection: Connection, url: str, action: _Action) -> None:
    # env.py runs on this connection instead of opening its own event loop.
    config = alembic_config(url)
    config.attributes["connection"] = connection
    action(config)
