"""Alembic owns the schema: every revision upgrades, downgrades and upgrades again on PostgreSQL."""

import asyncio
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from anomaly.adapters.sql.engine import create_engine
from anomaly.adapters.sql.migrations import alembic_config, downgrade, upgrade
from tests.support.postgres import create_database, drop_database, require_postgres


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    admin = require_postgres()
    name, url = create_database(admin)
    try:
        yield url
    finally:
        drop_database(admin, name)


async def table_names(url: str) -> set[str]:
    engine = create_engine(url, pool_size=1, timeout_seconds=10)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


def test_every_revision_upgrades_downgrades_and_upgrades_again(empty_postgres: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(empty_postgres))
    revisions = [revision.revision for revision in reversed(list(script.walk_revisions()))]
    assert revisions, "no migration found"
    for revision in revisions:
        asyncio.run(upgrade(empty_postgres, revision))
        asyncio.run(downgrade(empty_postgres, "-1"))
        asyncio.run(upgrade(empty_postgres, revision))
    assert asyncio.run(table_names(empty_postgres)) == {
        "anomaly_detection_series",
        "anomaly_detection_models",
        "anomaly_idempotency_keys",
    }
    asyncio.run(downgrade(empty_postgres, "base"))
    assert asyncio.run(table_names(empty_postgres)) == set()


def test_the_migrated_schema_matches_the_tables_the_code_queries(empty_postgres: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from anomaly.adapters.sql.tables import metadata

    asyncio.run(upgrade(empty_postgres))

    async def differences() -> list[object]:
        engine = create_engine(empty_postgres, pool_size=1, timeout_seconds=10)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
                )
        finally:
            await engine.dispose()

    assert asyncio.run(differences()) == []
