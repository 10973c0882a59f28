"""API keys: who may call, and which series each key may see."""

import logging
from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from anomaly.bootstrap import Adapters, create_app
from anomaly.settings import Settings
from tests.support.payloads import SMALL

Client = AsyncTestClient[Litestar]
ADMIN = "admin-key-0123456789abcdef"
TEAM_A = "team-a-key-0123456789abcdef"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
async def client(memory_adapters: Adapters) -> AsyncIterator[Client]:
    settings = Settings(api_keys=((ADMIN, None), (TEAM_A, "team-a.")))
    async with AsyncTestClient(app=create_app(settings, adapters=memory_adapters)) as client:
        yield client


@pytest.mark.parametrize(
    "headers",
    [{}, bearer("not-a-key-0123456789abcdef"), {"Authorization": ADMIN}, {"Authorization": f"Basic {ADMIN}"}],
    ids=["no header", "unknown key", "no scheme", "wrong scheme"],
)
async def test_every_endpoint_but_the_probes_needs_a_known_key(
    client: Client, headers: dict[str, str]
) -> None:
    for method, path in [
        ("POST", "/fit/cpu"),
        ("POST", "/predict/cpu"),
        ("GET", "/series"),
        ("GET", "/healthcheck"),
        ("GET", "/plot?series_id=cpu"),
        ("GET", "/schema/openapi.json"),
        ("DELETE", "/series/cpu"),
    ]:
        response = await client.request(method, path, headers=headers, json=SMALL)
        assert response.status_code == 401, (method, path)
        assert response.json()["error"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for path in ["/health/live", "/health/ready"]:
        assert (await client.get(path, headers=headers)).status_code == 200


async def test_a_known_key_is_served(client: Client) -> None:
    fitted = await client.post("/fit/cpu", json=SMALL, headers=bearer(ADMIN))
    assert fitted.status_code == 200
    listed = await client.get("/series", headers=bearer(ADMIN))
    assert [item["series_id"] for item in listed.json()["items"]] == ["cpu"]


async def test_a_prefixed_key_sees_only_its_series_and_others_look_absent(client: Client) -> None:
    assert (await client.post("/fit/team-b.cpu", json=SMALL, headers=bearer(ADMIN))).status_code == 200
    assert (await client.post("/fit/team-a.cpu", json=SMALL, headers=bearer(TEAM_A))).status_code == 200
    for method, path in [
        ("POST", "/fit/team-b.cpu"),
        ("POST", "/predict/team-b.cpu"),
        ("GET", "/series/team-b.cpu/versions"),
        ("GET", "/series/team-b.cpu/versions/1"),
        ("DELETE", "/series/team-b.cpu"),
        ("GET", "/plot?series_id=team-b.cpu"),
    ]:
        body = {"timestamp": 1, "value": 1.0} if path.startswith("/predict") else SMALL
        response = await client.request(method, path, headers=bearer(TEAM_A), json=body)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"] == "series_not_found"
    listed = (await client.get("/series", headers=bearer(TEAM_A))).json()
    assert [item["series_id"] for item in listed["items"]] == ["team-a.cpu"]
    assert listed["total"] == 1
    # The series the key could not see is untouched.
    versions = await client.get("/series/team-b.cpu/versions", headers=bearer(ADMIN))
    assert versions.json()["total"] == 1


async def test_keys_never_reach_the_log(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        await client.post("/fit/cpu", json=SMALL, headers=bearer(ADMIN))
        await client.post("/fit/cpu", json=SMALL, headers=bearer("wrong-key-0123456789abcdef"))
    assert ADMIN not in caplog.text
    assert "wrong-key-0123456789abcdef" not in caplog.text


async def test_an_open_service_says_so_at_start_up(
    memory_adapters: Adapters, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        async with AsyncTestClient(app=create_app(Settings(), adapters=memory_adapters)) as client:
            assert (await client.post("/fit/cpu", json=SMALL)).status_code == 200
    assert "ANOMALY_API_KEYS is not set" in caplog.text
    assert "OPEN" in caplog.text


async def test_a_repeated_series_parameter_cannot_reach_another_prefix(client: Client) -> None:
    assert (await client.post("/fit/team-b.secret", json=SMALL, headers=bearer(ADMIN))).status_code == 200
    response = await client.get("/plot?series_id=team-a.x&series_id=team-b.secret", headers=bearer(TEAM_A))
    assert response.status_code == 404
    assert response.json()["error"] == "series_not_found"
