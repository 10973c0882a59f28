"""The production wiring (SQL metadata, files on disk) on SQLite and PostgreSQL, through HTTP."""

import asyncio
import hashlib
import subprocess
from pathlib import Path

from litestar.testing import AsyncTestClient

from anomaly.bootstrap import create_app
from anomaly.domain.model_format import decode_model
from anomaly.settings import Settings
from tests.conftest import file_settings
from tests.support.concurrent_client import served_in_this_loop
from tests.support.payloads import SMALL, batch
from tests.support.small_disk import small_disk
from tests.support.stored import artifact_files, stored_file, stored_versions


async def test_a_fit_records_a_row_whose_artifacts_match_their_checksums(
    sql_url: str, tmp_path: Path
) -> None:
    body = b'{"timestamps": [10, 20, 30], "values": [1.0, 2.0, 6.0]}'
    async with AsyncTestClient(app=create_app(file_settings(tmp_path, sql_url))) as client:
        response = await client.post("/fit/cpu", content=body)
    assert response.status_code == 200
    [row] = await stored_versions(sql_url, "cpu")
    assert (row.version, row.summary.points_used) == (1, 3)
    assert (row.summary.first_timestamp, row.summary.last_timestamp) == (10, 30)
    model_bytes = stored_file(tmp_path, row.model.location).read_bytes()
    data_bytes = stored_file(tmp_path, row.data.location).read_bytes()
    assert hashlib.sha256(model_bytes).hexdigest() == row.model.sha256
    assert hashlib.sha256(data_bytes).hexdigest() == row.data.sha256
    assert data_bytes == body
    model = decode_model(model_bytes)
    assert model.summary() == row.summary
    assert model.summary().mean == 3.0
    assert (row.kind, row.parameters) == (model.kind, model.parameters) == ("gaussian", {"half_life": None})
    assert row.model.location.startswith("cpu/")  # a key relative to the store, never a path
    assert row.data.location.startswith("cpu/")


async def test_a_hundred_simultaneous_fits_of_one_series(sql_url: str, tmp_path: Path) -> None:
    async with served_in_this_loop(create_app(file_settings(tmp_path, sql_url))) as client:
        responses = await asyncio.gather(*(client.post("/fit/hot", json=SMALL) for _ in range(100)))
    assert [response.status_code for response in responses] == [200] * 100
    assert sorted(response.json()["version"] for response in responses) == list(range(1, 101))
    rows = await stored_versions(sql_url, "hot")
    assert sorted(row.version for row in rows) == list(range(1, 101))
    assert len(artifact_files(tmp_path)) == 200


async def test_an_unreachable_database_is_a_503_and_leaves_no_artifact(tmp_path: Path) -> None:
    settings = file_settings(tmp_path, "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere")
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.post("/fit/cpu", json=SMALL)
    assert response.status_code == 503
    payload = response.json()
    assert payload["success"] is False
    assert payload["error"] == "database_unavailable"
    assert payload["message"] == "the metadata database is unavailable"
    assert "127.0.0.1:9" not in response.text  # hosts are for the log, not for clients
    assert artifact_files(tmp_path) == []


async def test_an_unwritable_artifact_folder_is_a_503_and_records_no_version(
    sqlite_url: str, tmp_path: Path
) -> None:
    (tmp_path / "data").write_text("a file where the training data folder should be")
    async with AsyncTestClient(app=create_app(file_settings(tmp_path, sqlite_url))) as client:
        response = await client.post("/fit/cpu", json=SMALL)
    assert response.status_code == 503
    payload = response.json()
    assert payload["error"] == "artifact_storage_unavailable"
    assert payload["message"] == "the artifact folder cannot be written"
    assert str(tmp_path) not in response.text  # paths are for the log, not for clients
    assert await stored_versions(sqlite_url, "cpu") == []
    assert artifact_files(tmp_path) == []


async def test_a_full_disk_is_a_507_and_leaves_no_file_and_no_row(sqlite_url: str, tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        settings = Settings(
            database_url=sqlite_url, model_state_folder=disk / "models", training_data_folder=disk / "data"
        )
        big = batch([float(index % 17) for index in range(40_000)])  # about 1 MB of JSON
        async with AsyncTestClient(app=create_app(settings)) as client:
            response = await client.post("/fit/cpu", json=big)
            small = await client.post("/fit/cpu", json=SMALL)
        # Artifacts, not the service's own files (the folders' pairing with the database).
        leftovers = [path for path in disk.rglob("*") if path.is_file() and "+anomaly" not in path.parts]
    assert response.status_code == 507
    assert response.json()["error"] == "artifact_storage_full"
    assert "no space left" in response.json()["message"]
    # The failed fit took no version and left nothing behind; the next one is version 1.
    assert small.status_code == 200
    assert small.json()["version"] == 1
    assert len(leftovers) == 2
    assert [row.version for row in await stored_versions(sqlite_url, "cpu")] == [1]


async def test_a_read_only_artifact_folder_is_a_503_and_leaves_no_file_and_no_row(
    sqlite_url: str, tmp_path: Path
) -> None:
    with small_disk(tmp_path / "disk") as disk:
        (disk / "models").mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        settings = Settings(
            database_url=sqlite_url,
            model_state_folder=disk / "models",
            training_data_folder=tmp_path / "data",
        )
        async with AsyncTestClient(app=create_app(settings)) as client:
            response = await client.post("/fit/cpu", json=SMALL)
        leftovers = [path for path in disk.rglob("*") if path.is_file()]
    assert response.status_code == 503
    assert response.json()["error"] == "artifact_storage_unavailable"
    assert leftovers == []
    assert await stored_versions(sqlite_url, "cpu") == []
    assert artifact_files(tmp_path) == []


async def test_a_database_never_migrated_is_a_500_naming_the_schema(
    tmp_path: Path,
) -> None:
    settings = file_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}")
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.post("/fit/cpu", json=SMALL)
        predicted = await client.post("/predict/cpu", json={"timestamp": 1, "value": 1.0})
    assert (response.status_code, response.json()["error"]) == (500, "schema_missing")
    assert "anomaly migrate" in response.json()["message"]
    assert predicted.json()["error"] == "schema_missing"
