"""Alembic owns the schema: every revision upgrades, downgrades and upgrades again on PostgreSQL."""

import asyncio

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from anomaly.adapters.memory.series_changes import InMemorySeriesChanges
from anomaly.adapters.sql.database import open_database
from anomaly.adapters.sql.engine import create_engine
from anomaly.adapters.sql.migrations import alembic_config, downgrade, upgrade
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId


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


def test_versions_stored_before_kinds_existed_are_gaussian_with_no_parameters(empty_postgres: str) -> None:
    asyncio.run(upgrade(empty_postgres, "0002"))

    async def store_a_version_the_old_way() -> None:
        engine = create_engine(empty_postgres, pool_size=1, timeout_seconds=10)
        try:
            async with engine.begin() as connection:
                await connection.exec_driver_sql(
                    "INSERT INTO anomaly_detection_series VALUES ('cpu', 1, now(), now())"
                )
                await connection.exec_driver_sql(
                    "INSERT INTO anomaly_detection_models VALUES ('cpu', 1, '/m', 'a', 1, '/d', 'b', 1, 3,"
                    " 1, 3, 2.0, 0.5, 1.0, 3.0, now(), now())"
                )
        finally:
            await engine.dispose()

    async def read_it_now() -> ModelVersion | None:
        engine = create_engine(empty_postgres, pool_size=1, timeout_seconds=10)
        try:
            return await open_database(engine, InMemorySeriesChanges()).rows.get(SeriesId("cpu"), 1)
        finally:
            await engine.dispose()

    asyncio.run(store_a_version_the_old_way())
    asyncio.run(upgrade(empty_postgres))
    stored = asyncio.run(read_it_now())
    assert stored is not None
    assert (stored.kind, stored.parameters, stored.summary.mean) == ("gaussian", {}, 2.0)
