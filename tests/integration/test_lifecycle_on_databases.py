"""Detection and the version lifecycle on the production wiring, on SQLite and PostgreSQL."""

from pathlib import Path

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from anomaly.bootstrap import create_app
from tests.conftest import file_settings
from tests.support.payloads import batch
from tests.support.server import running_server

Client = AsyncTestClient[Litestar]
POINT = {"timestamp": 1_705_100_000, "value": 12.0}


async def fit(client: Client, series: str, values: list[float]) -> int:
    response = await client.post(f"/fit/{series}", json=batch(values))
    assert response.status_code == 200, response.text
    version: int = response.json()["version"]
    return version


async def predicted_version(client: Client, series: str) -> int:
    response = await client.post(f"/predict/{series}", json=POINT)
    assert response.status_code == 200, response.text
    version: int = response.json()["model_version"]
    return version


async def test_latest_moves_after_a_fit_and_after_a_delete(sql_url: str, tmp_path: Path) -> None:
    async with AsyncTestClient(app=create_app(file_settings(tmp_path, sql_url))) as client:
        await fit(client, "cpu", [10.0, 11.0, 9.0])
        assert await predicted_version(client, "cpu") == 1
        await fit(client, "cpu", [1.0, 2.0, 3.0])
        assert await predicted_version(client, "cpu") == 2
        assert (await client.delete("/series/cpu/versions/2")).status_code == 200
        assert await predicted_version(client, "cpu") == 1
        pinned = await client.post("/predict/cpu?version=1", json=POINT)
        gone = await client.post("/predict/cpu?version=2", json=POINT)
        assert pinned.json()["mean"] == 10.0
        assert gone.status_code == 404
        assert await fit(client, "cpu", [5.0, 5.0, 6.0]) == 3
        versions = (await client.get("/series/cpu/versions")).json()
        assert [item["version"] for item in versions["items"]] == [3, 1]


async def test_deleting_removes_the_files_with_the_rows(sql_url: str, tmp_path: Path) -> None:
    async with AsyncTestClient(app=create_app(file_settings(tmp_path, sql_url))) as client:
        for _ in range(2):
            await fit(client, "cpu", [1.0, 2.0, 3.0])
        assert len(list(tmp_path.rglob("*.json"))) == 4
        await client.delete("/series/cpu/versions/1")
        assert len(list(tmp_path.rglob("*.json"))) == 2
        await client.delete("/series/cpu")
        assert list(tmp_path.rglob("*.json")) == []
        assert (await client.get("/series")).json()["total"] == 0


async def test_a_second_process_sees_a_new_version_at_once(sql_url: str, tmp_path: Path) -> None:
    settings = file_settings(tmp_path, sql_url)
    env = {
        "DATABASE_URL": sql_url,
        "MODEL_STATE_FOLDER": str(settings.model_state_folder),
        "TRAINING_DATA_FOLDER": str(settings.training_data_folder),
    }
    with running_server(tmp_path, env) as other_process:
        async with AsyncTestClient(app=create_app(settings)) as here:
            await fit(here, "cpu", [10.0, 11.0, 9.0])
            assert await predicted_version(here, "cpu") == 1
            fitted = httpx.post(f"{other_process}/fit/cpu", json=batch([1.0, 2.0, 3.0]), timeout=10)
            assert fitted.json()["version"] == 2
            assert await predicted_version(here, "cpu") == 2
            await here.delete("/series/cpu/versions/2")
            there = httpx.post(f"{other_process}/predict/cpu", json=POINT, timeout=10)
            assert there.json()["model_version"] == 1


async def test_each_process_answers_with_the_version_just_acknowledged_by_the_other(
    sql_url: str, tmp_path: Path
) -> None:
    """Read-your-writes across processes, with "latest" served from memory between changes."""
    settings = file_settings(tmp_path, sql_url)
    env = {
        "DATABASE_URL": sql_url,
        "MODEL_STATE_FOLDER": str(settings.model_state_folder),
        "TRAINING_DATA_FOLDER": str(settings.training_data_folder),
    }
    with running_server(tmp_path, env) as there, httpx.Client(base_url=there, timeout=10) as other:
        async with AsyncTestClient(app=create_app(settings)) as here:
            # Each process predicts between the other's fits: only the shared board can tell it
            # that the version it remembers is no longer the latest.
            for version in range(1, 9):
                fitted = other.post("/fit/cpu", json=batch([float(version)] * 3))
                assert fitted.json()["version"] == version
                answer = (await here.post("/predict/cpu", json=POINT)).json()
                assert (answer["model_version"], answer["mean"]) == (version, version)
            for version in range(9, 16):
                assert await fit(here, "cpu", [float(version)] * 3) == version
                answer = other.post("/predict/cpu", json=POINT).json()
                assert (answer["model_version"], answer["mean"]) == (version, version)
            assert (await here.delete("/series/cpu/versions/15")).status_code == 200
            assert other.post("/predict/cpu", json=POINT).json()["model_version"] == 14
            assert other.delete("/series/cpu").status_code == 200
            assert (await here.post("/predict/cpu", json=POINT)).status_code == 404


async def test_an_altered_or_missing_model_artifact_is_an_error_naming_the_version(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with AsyncTestClient(app=create_app(file_settings(tmp_path, sqlite_url))) as client:
        await fit(client, "cpu", [10.0, 11.0, 9.0])
        await fit(client, "cpu", [10.0, 11.0, 9.0])
    first, second = sorted((tmp_path / "models" / "cpu").iterdir())
    first.write_bytes(first.read_bytes().replace(b'"mean":10.0', b'"mean":99.0'))
    second.unlink()
    # A process that starts now: the one that fitted them keeps the models it wrote in memory.
    async with AsyncTestClient(app=create_app(file_settings(tmp_path, sqlite_url))) as client:
        for version in (1, 2):
            response = await client.post(f"/predict/cpu?version={version}", json=POINT)
            assert response.status_code == 500
            body = response.json()
            assert body["error"] == "model_unreadable"
            assert f"version {version} of series 'cpu'" in body["message"]
        detail = await client.get("/series/cpu/versions/1")
        assert detail.status_code == 500
        assert "checksum" in detail.json()["message"]


async def test_a_model_artifact_is_read_from_disk_once(sqlite_url: str, tmp_path: Path) -> None:
    async with AsyncTestClient(app=create_app(file_settings(tmp_path, sqlite_url))) as client:
        await fit(client, "cpu", [10.0, 11.0, 9.0])
        assert (await client.post("/predict/cpu", json=POINT)).status_code == 200
        [model_file] = (tmp_path / "models" / "cpu").iterdir()
        model_file.unlink()
        # Served from the verified copy in memory: the artifact is not read again.
        for _ in range(3):
            response = await client.post("/predict/cpu", json=POINT)
            assert response.status_code == 200
            assert response.json()["mean"] == 10.0


async def test_every_version_answers_after_the_artifact_folders_have_moved(
    sql_url: str, tmp_path: Path
) -> None:
    async with AsyncTestClient(app=create_app(file_settings(tmp_path / "old", sql_url))) as client:
        await fit(client, "cpu", [10.0, 11.0, 9.0])
        await fit(client, "cpu", [20.0, 21.0, 19.0])
    (tmp_path / "old").rename(tmp_path / "new")  # `mv old new`, and both settings pointed there
    async with AsyncTestClient(app=create_app(file_settings(tmp_path / "new", sql_url))) as client:
        for version, mean in [(1, 10.0), (2, 20.0)]:
            predicted = await client.post(f"/predict/cpu?version={version}", json=POINT)
            assert predicted.status_code == 200, predicted.text
            assert predicted.json()["mean"] == mean
            assert (await client.get(f"/series/cpu/versions/{version}")).status_code == 200
        assert (await client.get("/plot", params={"series_id": "cpu", "version": 1})).status_code == 200
        assert await fit(client, "cpu", [1.0, 2.0, 3.0]) == 3
        assert (await client.delete("/series/cpu/versions/1")).status_code == 200
    assert len(list((tmp_path / "new").rglob("*.json"))) == 4
