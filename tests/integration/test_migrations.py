"""Alembic owns the schema: every revision upgrades, downgrades and upgrades again on PostgreSQL,
and rows written at a revision read the same after the next."""

import asyncio
import hashlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from litestar.testing import AsyncTestClient

from anomaly.adapters.files.artifact_store import FileArtifactStore
from anomaly.adapters.memory.series_changes import InMemorySeriesChanges
from anomaly.adapters.sql.database import open_database
from anomaly.adapters.sql.engine import create_engine
from anomaly.adapters.sql.migrations import alembic_config, downgrade, upgrade
from anomaly.adapters.sql.tables import models, series, version_row
from anomaly.bootstrap import create_app
from anomaly.domain.model_version import ArtifactRef, ModelVersion
from anomaly.domain.series_id import SeriesId
from tests.conftest import file_settings
from tests.support.postgres import create_database, drop_database, require_postgres
from tests.support.versions import CREATED, make_draft, make_model


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
        "anomaly_database_identity",
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


@pytest.fixture(params=["sqlite", "postgres"])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema yet, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'anomaly.db'}"
        return
    admin = require_postgres()
    name, url = create_database(admin)
    try:
        yield url
    finally:
        drop_database(admin, name)


async def paths_in_rows(url: str) -> list[tuple[str, str]]:
    engine = create_engine(url, pool_size=1, timeout_seconds=10)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(sa.select(models.c.model_path, models.c.data_path))
            return [(model, data) for model, data in rows]
    finally:
        await engine.dispose()


async def stored_by_revision_0003(url: str, root: Path) -> tuple[ArtifactRef, ArtifactRef]:
    """A version as the release before keys stored it: its files in `root`, its row naming their
    absolute paths."""
    model_ref, data_ref = (
        await FileArtifactStore(root / "models", root / "data")
        .stage(SeriesId("cpu"), b'{"timestamps": [1, 2, 3], "values": [9.9, 10.0, 10.1]}')
        .keep(make_model())
    )
    draft = replace(
        make_draft("cpu"),
        model=replace(model_ref, location=str((root / "models" / model_ref.location).resolve())),
        data=replace(data_ref, location=str((root / "data" / data_ref.location).resolve())),
    )
    engine = create_engine(url, pool_size=1, timeout_seconds=10)
    try:
        async with engine.begin() as connection:
            counter = {"series_id": "cpu", "last_version": 1, "created_at": CREATED, "updated_at": CREATED}
            await connection.execute(sa.insert(series).values(counter))
            await connection.execute(sa.insert(models).values(version_row(draft.numbered(1))))
    finally:
        await engine.dispose()
    return model_ref, data_ref


async def test_versions_stored_with_paths_are_read_by_key_once_the_folders_have_moved(
    unmigrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await upgrade(unmigrated_url, "0003")
    model_ref, data_ref = await stored_by_revision_0003(unmigrated_url, tmp_path / "old")
    await upgrade(unmigrated_url)
    assert await paths_in_rows(unmigrated_url) == [(model_ref.location, data_ref.location)]

    (tmp_path / "old").rename(tmp_path / "new")
    async with AsyncTestClient(app=create_app(file_settings(tmp_path / "new", unmigrated_url))) as client:
        predicted = await client.post("/predict/cpu", json={"timestamp": 1, "value": 10.0})
        detail = await client.get("/series/cpu/versions/1")
        plot = await client.get("/plot", params={"series_id": "cpu"})
    assert predicted.status_code == 200, predicted.text
    assert predicted.json()["mean"] == 10.0
    assert detail.status_code == 200, detail.text
    assert plot.status_code == 200, plot.text

    # Down again: absolute paths under the folders the settings name when it runs.
    monkeypatch.setenv("MODEL_STATE_FOLDER", str(tmp_path / "new" / "models"))
    monkeypatch.setenv("TRAINING_DATA_FOLDER", str(tmp_path / "new" / "data"))
    await downgrade(unmigrated_url, "0003")
    [(model_path, data_path)] = await paths_in_rows(unmigrated_url)
    assert Path(model_path) == (tmp_path / "new" / "models" / model_ref.location).resolve()
    assert Path(data_path) == (tmp_path / "new" / "data" / data_ref.location).resolve()
    assert hashlib.sha256(Path(model_path).read_bytes()).hexdigest() == model_ref.sha256


async def test_each_database_migrated_is_given_an_identity_of_its_own(tmp_path: Path) -> None:
    identities = []
    for name in ("production.db", "staging.db"):
        url = f"sqlite+aiosqlite:///{tmp_path / name}"
        await upgrade(url)
        await upgrade(url)  # migrating again changes nothing
        engine = create_engine(url, pool_size=1, timeout_seconds=10)
        try:
            identities.append(await open_database(engine, InMemorySeriesChanges()).identity.identity())
        finally:
            await engine.dispose()
    assert identities[0].id != identities[1].id
    assert [identity.name.rsplit("/", 1)[1] for identity in identities] == ["production.db", "staging.db"]
