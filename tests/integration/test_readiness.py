"""`GET /health/ready` on the production wiring: 200 only when the service can serve (the database
answers, at the schema revision this code expects, and the artifact folders can be written); else
503 saying which, with the details (hosts, paths, driver errors) in the log only."""

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from anomaly.adapters.sql.migrations import upgrade
from anomaly.bootstrap import create_app
from anomaly.settings import Settings
from tests.conftest import file_settings
from tests.support.payloads import SMALL
from tests.support.postgres import plain_url, require_postgres

DATABASE_UNAVAILABLE = "the metadata database is unavailable"
SCHEMA_MISSING = "the database schema is missing: run `anomaly migrate`"


async def readiness(settings: Settings) -> tuple[int, dict[str, str]]:
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.get("/health/live")).status_code == 200
        ready = await client.get("/health/ready")
    body: dict[str, str] = ready.json()
    return ready.status_code, body


@pytest.fixture(params=["sqlite", "postgres"])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database that exists but was never migrated, on each SQL backend."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}"
    url: str = request.getfixturevalue("empty_postgres")
    return url


async def test_a_migrated_database_and_writable_folders_are_ready(sql_url: str, tmp_path: Path) -> None:
    assert await readiness(file_settings(tmp_path, sql_url)) == (200, {"status": "ok"})


async def test_a_database_never_migrated_is_not_ready(unmigrated_url: str, tmp_path: Path) -> None:
    settings = file_settings(tmp_path, unmigrated_url)
    assert await readiness(settings) == (503, {"status": "unavailable", "message": SCHEMA_MISSING})
    # What readiness spares the clients: every request would fail.
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.post("/fit/cpu", json=SMALL)).json()["error"] == "schema_missing"


async def test_a_database_at_an_older_revision_is_not_ready(empty_postgres: str, tmp_path: Path) -> None:
    await upgrade(empty_postgres, "0002")
    status, body = await readiness(file_settings(tmp_path, empty_postgres))
    assert (status, body["status"]) == (503, "unavailable")
    assert "revision" in body["message"]
    assert "anomaly migrate" in body["message"]
    await upgrade(empty_postgres)
    assert await readiness(file_settings(tmp_path, empty_postgres)) == (200, {"status": "ok"})


@pytest.fixture(params=["nothing listening", "no such database"])
def unreachable_url(request: pytest.FixtureRequest) -> str:
    if request.param == "nothing listening":
        return "postgresql+asyncpg://postgres@127.0.0.1:9/anomaly"
    server, _, _ = plain_url(require_postgres()).rpartition("/")
    return f"{server}/anomaly_no_such_database".replace("postgresql://", "postgresql+asyncpg://", 1)


async def test_a_database_that_cannot_be_used_is_not_ready_and_the_probe_hears_no_detail(
    unreachable_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    status, body = await readiness(file_settings(tmp_path, unreachable_url))
    assert (status, body) == (503, {"status": "unavailable", "message": DATABASE_UNAVAILABLE})
    # The operator finds the driver's own words in the log.
    assert any(words in caplog.text for words in ("Connect call failed", "does not exist")), caplog.text


async def test_artifact_folders_that_cannot_be_written_are_not_ready(sqlite_url: str, tmp_path: Path) -> None:
    blocker = tmp_path / "models"
    blocker.write_text("a file where the model folder should be")
    status, body = await readiness(file_settings(tmp_path, sqlite_url))
    assert (status, body) == (
        503,
        {"status": "unavailable", "message": "the artifact folder cannot be written"},
    )
    blocker.unlink()
    assert await readiness(file_settings(tmp_path, sqlite_url)) == (200, {"status": "ok"})
    assert list((tmp_path / "models").glob(".writable-*")) == []  # the probe leaves nothing
