"""POST /fit/{series_id} on in-memory adapters: the contract a client sees."""

import asyncio
import json
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.adapters.memory.database import InMemoryDatabase
from anomaly.bootstrap import create_app
from anomaly.domain.model_format import decode_model
from anomaly.settings import Settings
from tests.support.concurrent_client import served_in_this_loop
from tests.support.payloads import SMALL, batch

Client = AsyncTestClient[Litestar]


async def test_a_fit_answers_with_its_version_and_point_count(memory_client: Client) -> None:
    response = await memory_client.post("/fit/cpu.load_1m", json=SMALL)
    assert response.status_code == 200
    assert response.json() == {
        "series_id": "cpu.load_1m",
        "success": True,
        "message": "Model trained and stored as version 1.",
        "version": 1,
        "points_used": 5,
    }


async def test_versions_count_up_per_series(memory_client: Client) -> None:
    versions = [(await memory_client.post("/fit/cpu", json=SMALL)).json()["version"] for _ in range(3)]
    other = (await memory_client.post("/fit/disk", json=SMALL)).json()["version"]
    assert versions == [1, 2, 3]
    assert other == 1


async def test_a_fit_stores_the_model_state_and_the_batch_as_sent(
    memory_client: Client, memory_artifacts: InMemoryArtifactStore, memory_database: InMemoryDatabase
) -> None:
    body = b'{"timestamps": [1, 2, 3, 4], "values": [1.0, 2.0, 3.0, 4.0]}'
    response = await memory_client.post("/fit/cpu", content=body)
    assert response.status_code == 200
    row = memory_database.rows[("cpu", 1)]
    assert await memory_artifacts.load(row.data) == body
    model = decode_model(await memory_artifacts.load(row.model))
    assert (model.kind, model.parameters) == ("gaussian", {"half_life": None})
    state = model.summary()
    assert state.mean == 2.5
    assert state.std == pytest.approx(1.118033988749895)
    assert (state.first_timestamp, state.last_timestamp, state.points_used) == (1, 4, 4)
    assert state == row.summary


async def test_concurrent_fits_of_one_series_get_distinct_consecutive_versions(memory_adapters: Any) -> None:
    async with served_in_this_loop(create_app(Settings(), adapters=memory_adapters)) as client:
        responses = await asyncio.gather(*(client.post("/fit/hot", json=SMALL) for _ in range(50)))
    assert sorted(response.json()["version"] for response in responses) == list(range(1, 51))


BAD_BATCHES: list[tuple[str, Any, str]] = [
    ("lengths differ", {"timestamps": [1, 2, 3], "values": [1.0, 2.0]}, "values"),
    ("too few points", {"timestamps": [1, 2], "values": [1.0, 2.0]}, "values"),
    ("null value", {"timestamps": [1, 2, 3], "values": [1.0, None, 2.0]}, "values[1]"),
    ("string value", {"timestamps": [1, 2, 3], "values": [1.0, "2.0", 2.0]}, "values[1]"),
    ("bool value", {"timestamps": [1, 2, 3], "values": [1.0, True, 2.0]}, "values[1]"),
    ("overflowing value", '{"timestamps": [1, 2, 3], "values": [1.0, 1e999, 2.0]}', "values[1]"),
    ("fractional timestamp", {"timestamps": [1, 2.5, 3], "values": [1.0, 2.0, 3.0]}, "timestamps[1]"),
    (
        "float timestamp past int64",
        {"timestamps": [1, 2, 9.3e18], "values": [1.0, 2.0, 3.0]},
        "timestamps[2]",
    ),
    ("word timestamp", {"timestamps": [1, "two", 3], "values": [1.0, 2.0, 3.0]}, "timestamps[1]"),
    (
        "date-time out of order",
        {"timestamps": ["2024-01-11T19:06:40Z", 1, 2], "values": [1.0, 2.0, 3.0]},
        "timestamps[1]",
    ),
    ("bool timestamp", {"timestamps": [1, True, 3], "values": [1.0, 2.0, 3.0]}, "timestamps[1]"),
    ("negative timestamp", {"timestamps": [-1, 2, 3], "values": [1.0, 2.0, 3.0]}, "timestamps[0]"),
    ("timestamp past int64", {"timestamps": [1, 2, 2**63], "values": [1.0, 2.0, 3.0]}, "timestamps[2]"),
    ("repeated timestamp", {"timestamps": [1, 2, 2], "values": [1.0, 2.0, 3.0]}, "timestamps[2]"),
    ("decreasing timestamp", {"timestamps": [1, 3, 2], "values": [1.0, 2.0, 3.0]}, "timestamps[2]"),
    ("unknown field", {"timestamps": [1, 2, 3], "values": [1.0, 2.0, 3.0], "valuez": []}, "valuez"),
    ("missing field", {"values": [1.0, 2.0, 3.0]}, "timestamps"),
    ("not an object", [1, 2, 3], "body"),
    ("nested values", {"timestamps": [1, 2, 3], "values": [[1.0], 2.0, 3.0]}, "values[0]"),
]


@pytest.mark.parametrize(("case", "body", "field"), BAD_BATCHES, ids=[case for case, _, _ in BAD_BATCHES])
async def test_a_bad_batch_is_refused_naming_the_field_and_stores_nothing(
    memory_client: Client,
    memory_artifacts: InMemoryArtifactStore,
    memory_database: InMemoryDatabase,
    case: str,
    body: Any,
    field: str,
) -> None:
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    response = await memory_client.post("/fit/cpu", content=content)
    assert response.status_code == 422, case
    payload = response.json()
    assert payload["success"] is False
    assert payload["error"] == "invalid_input"
    assert payload["field"] == field
    assert payload["series_id"] == "cpu"
    assert field.split("[", maxsplit=1)[0] in payload["message"]
    assert memory_artifacts.files == {}
    assert memory_database.rows == {}


NOT_JSON = [
    ("NaN literal", b'{"timestamps": [1, 2, 3], "values": [1.0, NaN, 2.0]}'),
    ("Infinity literal", b'{"timestamps": [1, 2, 3], "values": [1.0, Infinity, 2.0]}'),
    ("truncated", b'{"timestamps": [1, 2, 3], "values": [1.0,'),
    ("empty", b""),
    ("trailing garbage", b'{"timestamps": [1, 2, 3], "values": [1, 2, 3]} x'),
]


@pytest.mark.parametrize(("case", "content"), NOT_JSON, ids=[case for case, _ in NOT_JSON])
async def test_a_body_that_is_not_json_is_a_400_that_says_so(
    memory_client: Client, memory_artifacts: InMemoryArtifactStore, case: str, content: bytes
) -> None:
    response = await memory_client.post("/fit/cpu", content=content)
    assert response.status_code == 400, case
    payload = response.json()
    assert payload["error"] == "malformed_json"
    assert payload["field"] == "body"
    assert "JSON" in payload["message"]
    assert memory_artifacts.files == {}


@pytest.mark.parametrize("depth", [100, 100_000])
async def test_absurdly_deep_nesting_is_refused_not_crashed_on(memory_client: Client, depth: int) -> None:
    for content in (
        b"[" * depth + b"]" * depth,
        b'{"timestamps": [1, 2, 3], "values": [1, 2, 3], "x": ' + b"[" * depth + b"]" * depth + b"}",
        b'{"timestamps": ' + b"[" * depth + b"]" * depth + b', "values": [1, 2, 3]}',
    ):
        response = await memory_client.post("/fit/cpu", content=content)
        assert 400 <= response.status_code < 500
        assert response.json()["success"] is False


@pytest.mark.parametrize(
    "series_id",
    ["a" * 129, "a%20b", "caf%C3%A9", "%2E%2E", "%2E", "a%2Fb", "a%5Cb", "semi%3Bcolon"],
)
async def test_a_series_id_outside_the_safe_alphabet_is_refused(
    memory_client: Client, memory_artifacts: InMemoryArtifactStore, series_id: str
) -> None:
    response = await memory_client.post(f"/fit/{series_id}", json=SMALL)
    assert response.status_code in (404, 422)
    payload = response.json()
    assert payload["success"] is False
    if response.status_code == 422:
        assert payload["field"] == "series_id"
    assert memory_artifacts.files == {}


async def test_the_longest_allowed_series_id_is_accepted(memory_client: Client) -> None:
    series_id = "A-z_0." + "x" * 122
    response = await memory_client.post(f"/fit/{series_id}", json=SMALL)
    assert response.status_code == 200
    assert response.json()["series_id"] == series_id


async def test_the_minimum_point_count_is_a_setting(memory_adapters: Any) -> None:
    app = create_app(
        Settings(min_training_data_points=10, max_training_data_points=12), adapters=memory_adapters
    )
    async with AsyncTestClient(app=app) as client:
        too_few = await client.post("/fit/cpu", json=batch([1.0] * 9))
        enough = await client.post("/fit/cpu", json=batch([1.0] * 10))
        too_many = await client.post("/fit/cpu", json=batch([1.0] * 13))
    assert too_few.status_code == 422
    assert "at least 10" in too_few.json()["message"]
    assert enough.status_code == 200
    assert too_many.status_code == 422
    assert "at most 12" in too_many.json()["message"]


async def test_a_body_over_the_size_limit_is_a_413_in_the_error_shape(memory_adapters: Any) -> None:
    app = create_app(Settings(max_request_body_bytes=2048), adapters=memory_adapters)
    async with AsyncTestClient(app=app) as client:
        response = await client.post("/fit/cpu", json=batch([1.0] * 500))
    assert response.status_code == 413
    assert response.json()["success"] is False
    assert response.json()["error"] == "payload_too_large"
    assert "2048 bytes (MAX_REQUEST_BODY_BYTES)" in response.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"timestamps": [1, 2, 3], "values": [9.0, 9.0, 9.0], "values": [1.0, 2.0, 3.0]}',
        b'{"timestamps": [1, 2, 3], "v\\u0061lues": [1.0, 2.0, 3.0]}',
    ],
    ids=["repeated key", "escaped key"],
)
async def test_an_ambiguous_body_is_stored_as_what_was_fitted(
    memory_client: Client,
    memory_artifacts: InMemoryArtifactStore,
    memory_database: InMemoryDatabase,
    body: bytes,
) -> None:
    response = await memory_client.post("/fit/cpu", content=body)
    assert response.status_code == 200
    row = memory_database.rows[("cpu", 1)]
    # The bytes, not what json.loads makes of them: it too keeps the last key and reads escapes.
    assert await memory_artifacts.load(row.data) == b'{"timestamps":[1,2,3],"values":[1.0,2.0,3.0]}'
    assert row.summary.mean == 2.0


async def test_whole_float_timestamps_are_integers_and_are_stored_as_such(
    memory_client: Client, memory_artifacts: InMemoryArtifactStore, memory_database: InMemoryDatabase
) -> None:
    # JSON Schema counts 2.0 as an integer; so does the API, and the stored batch says 2.
    body = b'{"timestamps": [1, 2.0, 3e0], "values": [1.0, 2.0, 3.0]}'
    response = await memory_client.post("/fit/cpu", content=body)
    assert response.status_code == 200
    stored = await memory_artifacts.load(memory_database.rows[("cpu", 1)].data)
    assert stored == b'{"timestamps":[1,2,3],"values":[1.0,2.0,3.0]}'


async def test_string_timestamps_are_fitted_and_stored_as_the_integers_they_stand_for(
    memory_client: Client, memory_artifacts: InMemoryArtifactStore, memory_database: InMemoryDatabase
) -> None:
    body = {"timestamps": ["2024-01-11T19:06:40Z", "1705000060", 1705000120], "values": [1.0, 2.0, 3.0]}
    response = await memory_client.post("/fit/cpu", json=body)
    assert response.status_code == 200, response.text
    row = memory_database.rows[("cpu", 1)]
    assert (row.summary.first_timestamp, row.summary.last_timestamp) == (1705000000, 1705000120)
    stored = await memory_artifacts.load(row.data)
    assert stored == b'{"timestamps":[1705000000,1705000060,1705000120],"values":[1.0,2.0,3.0]}'
