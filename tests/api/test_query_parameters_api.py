"""Query parameters: one the endpoint does not take is refused with a 422 naming it, as an unknown
body field is, on every endpoint; a request with none is served as before."""

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from anomaly.adapters.memory.database import InMemoryDatabase
from tests.api.test_detect_api import assert_error
from tests.support.payloads import SMALL

Client = AsyncTestClient[Litestar]

POINTS = {"timestamps": [1705000400], "values": [10.0]}
# (method, path as the OpenAPI document names it, path requested, query it takes, body)
ENDPOINTS: list[tuple[str, str, str, dict[str, str], Any]] = [
    ("post", "/fit/{series_id}", "/fit/cpu", {}, SMALL),
    ("post", "/detect/{series_id}", "/detect/cpu", {"version": "1", "k": "2"}, POINTS),
    ("post", "/predict/{series_id}", "/predict/cpu", {"direction": "both"}, {"timestamp": 1, "value": 1.0}),
    ("post", "/update/{series_id}", "/update/cpu", {"alert": "0.9"}, POINTS),
    ("delete", "/series/{series_id}", "/series/cpu", {}, None),
    ("delete", "/series/{series_id}/versions/{version}", "/series/cpu/versions/1", {}, None),
    ("get", "/series/{series_id}/versions/{version}", "/series/cpu/versions/1", {}, None),
    ("get", "/series", "/series", {"limit": "5"}, None),
    ("get", "/series/{series_id}/versions", "/series/cpu/versions", {"offset": "0"}, None),
    ("get", "/health/live", "/health/live", {}, None),
    ("head", "/health/live", "/health/live", {}, None),
    ("get", "/health/ready", "/health/ready", {}, None),
    ("head", "/health/ready", "/health/ready", {}, None),
    ("get", "/healthcheck", "/healthcheck", {}, None),
    ("get", "/plot", "/plot", {"series_id": "cpu"}, None),
]


async def test_every_endpoint_is_listed_here(memory_client: Client) -> None:
    document = (await memory_client.get("/schema/openapi.json")).json()
    served = {(method, path) for path, item in document["paths"].items() for method in item}
    assert served == {(method, path) for method, path, *_ in ENDPOINTS}


@pytest.mark.parametrize(
    ("method", "template", "path", "query", "body"), ENDPOINTS, ids=[f"{m} {t}" for m, t, *_ in ENDPOINTS]
)
async def test_a_query_parameter_the_endpoint_does_not_take_is_a_422_naming_it(
    memory_client: Client,
    memory_database: InMemoryDatabase,
    method: str,
    template: str,
    path: str,
    query: dict[str, str],
    body: Any,
) -> None:
    assert (await memory_client.post("/fit/cpu", json=SMALL)).status_code == 200
    rows = dict(memory_database.rows)

    response = await memory_client.request(method, path, params={**query, "window": "288"}, json=body)

    if method == "head":
        assert response.status_code == 422  # the answer to HEAD has no body
    else:
        assert_error(response, 422, "invalid_input", "window")
        assert "window" in response.json()["message"]
    assert memory_database.rows == rows  # nothing fitted, updated or deleted


async def test_the_openapi_document_takes_no_query_parameter(memory_client: Client) -> None:
    response = await memory_client.get("/schema/openapi.json", params={"format": "yaml"})
    assert_error(response, 422, "invalid_input", "format")


@pytest.mark.parametrize("query", ["versoin=1", "version=1&k=2&dirction=both", "k=2&K=3"])
async def test_the_first_parameter_not_taken_is_named_among_known_ones(
    memory_client: Client, query: str
) -> None:
    assert (await memory_client.post("/fit/cpu", json=SMALL)).status_code == 200

    response = await memory_client.post(f"/predict/cpu?{query}", json={"timestamp": 1, "value": 1.0})

    unknown = next(
        part.split("=")[0] for part in query.split("&") if part.split("=")[0] not in ("version", "k")
    )
    assert_error(response, 422, "invalid_input", unknown)


async def test_the_parameters_an_endpoint_takes_are_served_as_before(memory_client: Client) -> None:
    assert (await memory_client.post("/fit/cpu", json=SMALL)).status_code == 200

    response = await memory_client.post(
        "/predict/cpu",
        params={"version": "1", "k": "2", "direction": "both", "alert": "0.9"},
        json={"timestamp": 1, "value": 1.0},
    )

    assert response.status_code == 200, response.text
