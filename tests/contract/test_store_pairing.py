"""One contract for both sides of a store's pairing: a database's identity, on every database, and
the record of a store's owner, in memory and in the artifact folders."""

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from anomaly.adapters.files.artifact_store import FileArtifactStore
from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.adapters.memory.database import InMemoryDatabase
from anomaly.adapters.sql.identity import database_name
from anomaly.domain.store_pairing import DatabaseIdentity
from anomaly.ports.artifacts import ArtifactStore
from tests.support.registry import Registry

FIRST = DatabaseIdentity(id="a" * 32, name="postgresql+asyncpg://anomaly:***@db/anomaly")
SECOND = DatabaseIdentity(id="b" * 32, name="sqlite+aiosqlite:////srv/data/anomaly.db")


async def test_a_database_is_the_same_database_at_every_look(registry: Registry) -> None:
    identity = await registry.identity.identity()
    assert len(identity.id) == 32
    assert await registry.identity.identity() == identity


async def test_a_database_names_itself_by_its_url(registry: Registry, database_url: str | None) -> None:
    name = (await registry.identity.identity()).name
    if database_url is not None:
        assert name == database_url


def test_a_database_s_name_hides_its_password_and_says_where_a_sqlite_file_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    secret = make_url("postgresql+asyncpg://anomaly:s3cr3t@db:5432/anomaly")
    assert database_name(secret) == "postgresql+asyncpg://anomaly:***@db:5432/anomaly"
    relative = make_url("sqlite+aiosqlite:///./data/anomaly.db")
    assert database_name(relative) == f"sqlite+aiosqlite:///{tmp_path}/data/anomaly.db"


def test_every_in_memory_database_is_another() -> None:
    assert InMemoryDatabase().identity.id != InMemoryDatabase().identity.id


@pytest.fixture(params=["memory", "files"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    if request.param == "memory":
        return InMemoryArtifactStore()
    return FileArtifactStore(tmp_path / "models", tmp_path / "data")


async def test_a_store_is_no_one_s_until_claimed_and_then_the_first_claim_stands(
    store: ArtifactStore,
) -> None:
    places = await store.owners()
    assert places
    assert all(owner is None for _, owner in places)
    await store.claim(FIRST)
    await store.claim(SECOND)
    assert await store.owners() == [(place, FIRST) for place, _ in places]


async def test_the_claim_lives_in_the_folders_and_moves_with_them(tmp_path: Path) -> None:
    await FileArtifactStore(tmp_path / "a" / "models", tmp_path / "a" / "data").claim(FIRST)
    assert (tmp_path / "a" / "models" / "+anomaly" / "database-id").is_file()
    (tmp_path / "a").rename(tmp_path / "b")
    moved = FileArtifactStore(tmp_path / "b" / "models", tmp_path / "b" / "data")
    assert [owner for _, owner in await moved.owners()] == [FIRST, FIRST]


async def test_each_folder_is_claimed_on_its_own(tmp_path: Path) -> None:
    await FileArtifactStore(tmp_path / "models", tmp_path / "old-data").claim(FIRST)
    store = FileArtifactStore(tmp_path / "models", tmp_path / "data")  # TRAINING_DATA_FOLDER changed
    assert await store.owners() == [(str(tmp_path / "models"), FIRST), (str(tmp_path / "data"), None)]
    await store.claim(SECOND)
    assert await store.owners() == [(str(tmp_path / "models"), FIRST), (str(tmp_path / "data"), SECOND)]
    one_folder = FileArtifactStore(tmp_path / "models", tmp_path / "models")
    assert await one_folder.owners() == [(str(tmp_path / "models"), FIRST)]
