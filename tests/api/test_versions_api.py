"""Listing, inspecting and deleting versions over HTTP, on in-memory adapters."""

from litestar import Litestar
from litestar.testing import AsyncTestClient

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from tests.support.payloads import SMALL, batch

Client = AsyncTestClient[Litestar]


async def fit(client: Client, series: str, values: list[float] | None = None) -> int:
    response = await client.post(f"/fit/{series}", json=batch(values) if values else SMALL)
    assert response.status_code == 200
    version: int = response.json()["version"]
    return version


async def test_series_are_listed_with_their_latest_version_and_count(memory_client: Client) -> None:
    for series, fits in [("disk", 1), ("cpu", 3)]:
        for _ in range(fits):
            await fit(memory_client, series)
    response = await memory_client.get("/series")
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {"series_id": "cpu", "latest_version": 3, "versions": 3},
            {"series_id": "disk", "latest_version": 1, "versions": 1},
        ],
        "total": 2,
        "limit": 50,
        "offset": 0,
    }


async def test_series_pages_follow_limit_and_offset(memory_client: Client) -> None:
    for series in ["a", "b", "c"]:
        await fit(memory_client, series)
    page = (await memory_client.get("/series?limit=2&offset=1")).json()
    assert [item["series_id"] for item in page["items"]] == ["b", "c"]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)


async def test_bad_paging_parameters_are_named(memory_client: Client) -> None:
    for query, field, status in [
        ("limit=0", "limit", 422),
        ("limit=1001", "limit", 422),
        ("offset=-1", "offset", 422),
        ("limit=ten", "limit", 422),
        ("offset=9223372036854775808", "offset", 422),
    ]:
        response = await memory_client.get(f"/series?{query}")
        assert response.status_code == status, query
        assert response.json()["field"] == field


async def test_versions_are_listed_newest_first_with_their_summary(memory_client: Client) -> None:
    await fit(memory_client, "cpu", [1.0, 2.0, 3.0])
    await fit(memory_client, "cpu", [10.0, 10.0, 10.0, 10.0])
    response = await memory_client.get("/series/cpu/versions")
    assert response.status_code == 200
    body = response.json()
    assert body["series_id"] == "cpu"
    assert body["total"] == 2
    newest, oldest = body["items"]
    assert (newest["version"], newest["points_used"], newest["mean"], newest["std"]) == (2, 4, 10.0, 0.0)
    assert (oldest["version"], oldest["points_used"], oldest["mean"]) == (1, 3, 2.0)
    assert oldest["first_timestamp"] == SMALL["timestamps"][0]
    assert oldest["last_timestamp"] == SMALL["timestamps"][2]
    assert newest["created_at"].endswith("Z")
    assert newest["kind"] == oldest["kind"] == "gaussian"


async def test_one_version_shows_its_metadata_and_model_state(memory_client: Client) -> None:
    await fit(memory_client, "cpu", [1.0, 2.0, 3.0])
    for version in ("1", "v1"):
        response = await memory_client.get(f"/series/cpu/versions/{version}")
        assert response.status_code == 200
        body = response.json()
        assert body["version"] == 1
        # Every parameter is spelt out, defaults included.
        assert (body["kind"], body["parameters"]) == ("gaussian", {"half_life": None})
        assert list(body["model"]) == [
            "mean",
            "std",
            "points_used",
            "minimum",
            "maximum",
            "first_timestamp",
            "last_timestamp",
        ]
        assert body["model"]["mean"] == 2.0
        assert body["model"]["points_used"] == 3
        assert (body["model"]["minimum"], body["model"]["maximum"]) == (1.0, 3.0)
        assert len(body["model_artifact"]["sha256"]) == 64
        assert body["data_artifact"]["size"] > 0


async def test_unknown_series_and_versions_are_404s_that_say_which(memory_client: Client) -> None:
    await fit(memory_client, "cpu")
    missing_series = await memory_client.get("/series/nope/versions")
    missing_version = await memory_client.get("/series/cpu/versions/9")
    bad_version = await memory_client.get("/series/cpu/versions/latest")
    assert missing_series.status_code == 404
    assert missing_series.json()["error"] == "series_not_found"
    assert "nope" in missing_series.json()["message"]
    assert missing_version.status_code == 404
    assert missing_version.json()["error"] == "version_not_found"
    assert "9" in missing_version.json()["message"]
    assert bad_version.status_code == 422
    assert bad_version.json()["field"] == "version"


async def test_deleting_a_version_removes_it_and_its_artifacts_and_latest_moves_back(
    memory_client: Client, memory_artifacts: InMemoryArtifactStore
) -> None:
    for values in ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]):
        await fit(memory_client, "cpu", values)
    assert len(memory_artifacts.files) == 4
    response = await memory_client.delete("/series/cpu/versions/2")
    assert response.status_code == 200
    assert response.json()["deleted_versions"] == [2]
    assert len(memory_artifacts.files) == 2
    assert (await memory_client.get("/series/cpu/versions/2")).status_code == 404
    prediction = await memory_client.post("/predict/cpu", json={"timestamp": 1, "value": 2.0})
    assert prediction.json()["model_version"] == 1
    assert await fit(memory_client, "cpu") == 3
    again = await memory_client.delete("/series/cpu/versions/2")
    assert again.status_code == 404
    assert again.json()["error"] == "version_not_found"


async def test_deleting_a_series_removes_all_of_it_but_numbering_continues(
    memory_client: Client, memory_artifacts: InMemoryArtifactStore
) -> None:
    for _ in range(2):
        await fit(memory_client, "cpu")
    await fit(memory_client, "disk")
    response = await memory_client.delete("/series/cpu")
    assert response.status_code == 200
    assert response.json()["deleted_versions"] == [2, 1]
    assert [item["series_id"] for item in (await memory_client.get("/series")).json()["items"]] == ["disk"]
    assert len(memory_artifacts.files) == 2
    assert (await memory_client.delete("/series/cpu")).status_code == 404
    assert (await memory_client.post("/predict/cpu", json={"timestamp": 1, "value": 2.0})).status_code == 404
    assert await fit(memory_client, "cpu") == 3


async def test_health_probes_and_healthcheck(memory_client: Client) -> None:
    assert (await memory_client.get("/health/live")).json() == {"status": "ok"}
    assert (await memory_client.get("/health/ready")).json() == {"status": "ok"}
    empty = (await memory_client.get("/healthcheck")).json()
    assert empty == {
        "series_trained": 0,
        "inference_latency_ms": {"avg": 0.0, "p95": 0.0},
        "training_latency_ms": {"avg": 0.0, "p95": 0.0},
    }
    for series in ["a", "b", "a"]:
        await fit(memory_client, series)
    await memory_client.delete("/series/b")
    assert (await memory_client.get("/healthcheck")).json()["series_trained"] == 1


async def test_version_numbers_beyond_any_stored_version_are_refused(memory_client: Client) -> None:
    await fit(memory_client, "cpu")
    for path in ["/series/cpu/versions/2147483648", "/series/cpu/versions/v99999999999999999999"]:
        response = await memory_client.get(path)
        assert response.status_code == 422
        assert response.json()["field"] == "version"
    deleted = await memory_client.delete("/series/cpu/versions/9223372036854775808")
    assert deleted.status_code == 422
