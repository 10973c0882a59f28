"""The served OpenAPI document describes every endpoint, body and error, with examples."""

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]

ENDPOINTS = {
    ("post", "/fit/{series_id}"),
    ("post", "/predict/{series_id}"),
    ("post", "/detect/{series_id}"),
    ("post", "/update/{series_id}"),
    ("get", "/series"),
    ("get", "/series/{series_id}/versions"),
    ("get", "/series/{series_id}/versions/{version}"),
    ("delete", "/series/{series_id}/versions/{version}"),
    ("delete", "/series/{series_id}"),
    ("get", "/healthcheck"),
    ("get", "/health/live"),
    ("head", "/health/live"),
    ("get", "/health/ready"),
    ("head", "/health/ready"),
    ("get", "/plot"),
}


async def schema(client: Client) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


async def test_every_endpoint_is_documented(memory_client: Client) -> None:
    paths = (await schema(memory_client))["paths"]
    documented = {(method, path) for path, item in paths.items() for method in item if method != "parameters"}
    assert documented == ENDPOINTS


async def test_bodies_are_documented_with_their_fields_and_an_example(memory_client: Client) -> None:
    paths = (await schema(memory_client))["paths"]
    batch = {"timestamps", "values"}
    for path, fields, required in [
        # A fit may also name the model kind and its parameters; both have defaults.
        ("/fit/{series_id}", batch | {"kind", "parameters"}, batch),
        ("/detect/{series_id}", batch, batch),
        ("/update/{series_id}", batch, batch),
        ("/predict/{series_id}", {"timestamp", "value"}, {"timestamp", "value"}),
    ]:
        body = paths[path]["post"]["requestBody"]["content"]["application/json"]
        assert set(body["schema"]["properties"]) == fields, path
        assert set(body["schema"]["required"]) == required, path
        assert body["schema"]["additionalProperties"] is False, path
        assert set(body["examples"]["example"]["value"]) == fields, path


async def test_every_response_has_an_example_and_errors_share_one_shape(memory_client: Client) -> None:
    paths = (await schema(memory_client))["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if path == "/plot" and status == "200":
                    continue  # an HTML page
                content = response["content"]["application/json"]
                assert content.get("examples"), (method, path, status)
                example = next(iter(content["examples"].values()))["value"]
                if int(status) >= 400 and path != "/health/ready":
                    assert example["success"] is False, (method, path, status)
                    assert {"error", "message"} <= set(example), (method, path, status)
