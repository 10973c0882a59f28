"""Fixtures shared by every test: databases, adapters and apps built by the production factory."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.adapters.memory.database import InMemoryDatabase
from anomaly.adapters.sql.engine import create_engine
from anomaly.adapters.sql.migrations import upgrade
from anomaly.bootstrap import Adapters, create_app
from anomaly.settings import Settings
from tests.support.fakes import Fakes
from tests.support.postgres import create_database, drop_database, require_postgres
from tests.support.registry import Registry, registry_on


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A migrated database of its own for this run, dropped at the end; its asyncpg URL."""
    admin = require_postgres()
    name, url = create_database(admin)
    try:
        asyncio.run(upgrade(url))
        yield url
    finally:
        drop_database(admin, name)


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """A PostgreSQL database of this test's own, never migrated, dropped at the end."""
    admin = require_postgres()
    name, url = create_database(admin)
    try:
        yield url
    finally:
        drop_database(admin, name)


@pytest.fixture
async def postgres_url(postgres_database: str) -> str:
    """The run's PostgreSQL database, emptied before each test."""
    engine = create_engine(postgres_database, pool_size=1, timeout_seconds=10)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql(
                "TRUNCATE anomaly_detection_models, anomaly_detection_series, anomaly_idempotency_keys"
            )
    finally:
        await engine.dispose()
    return postgres_database


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite database in this test's folder."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'anomaly.db'}"
    await upgrade(url)
    return url


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """Each backend of the model repository in turn: None for in-memory, else a migrated database URL."""
    if request.param == "memory":
        return None
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def sql_url(request: pytest.FixtureRequest) -> str:
    """Each SQL backend in turn, migrated and empty."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
async def engine(database_url: str | None) -> AsyncIterator[AsyncEngine | None]:
    if database_url is None:
        yield None
        return
    engine = create_engine(database_url, pool_size=10, timeout_seconds=10)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def memory_database() -> InMemoryDatabase:
    return InMemoryDatabase()


@pytest.fixture
def memory_artifacts() -> InMemoryArtifactStore:
    return InMemoryArtifactStore()


@pytest.fixture
def registry(engine: AsyncEngine | None, memory_database: InMemoryDatabase) -> Registry:
    """The metadata database's ports on each backend in turn (see `database_url`)."""
    return registry_on(engine, memory_database)


@pytest.fixture
def fakes(memory_database: InMemoryDatabase, memory_artifacts: InMemoryArtifactStore) -> Fakes:
    return Fakes(database=memory_database, artifacts=memory_artifacts)


@pytest.fixture
def memory_adapters(fakes: Fakes) -> Adapters:
    return fakes.adapters()


@pytest.fixture
async def memory_client(memory_adapters: Adapters) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The API on in-memory adapters, built by the same factory as production."""
    async with AsyncTestClient(app=create_app(Settings(), adapters=memory_adapters)) as client:
        yield client


def file_settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        model_state_folder=tmp_path / "models",
        training_data_folder=tmp_path / "data",
    )
