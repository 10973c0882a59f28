"""Numbers as clients write them: a float timestamp that a float64 rounds, and numbers written with
thousands of digits, are refused with a 422 naming the field, on every endpoint that reads them."""

import json

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.adapters.memory.database import InMemoryDatabase
from tests.api.test_detect_api import assert_error
from tests.support.payloads import SMALL

Client = AsyncTestClient[Litestar]

# 2**53 + 1 as a float is read as 2**53: the first two timestamps would become 2**53 and 2**53 + 1,
# increasing, and the batch stored rewritten.
ROUNDED = (
    b'{"timestamps": [9007199254740993.0, 9007199254740993, 9007199254740994], "values": [1.0, 2.0, 3.0]}'
)
# 1 and a fraction too small for a float64 to keep: read as 1.0, a whole timestamp.
TINY_FRACTION = b'{"timestamps": [1, 2.0000000000000001, 3], "values": [1.0, 2.0, 3.0]}'
THOUSANDS_OF_ZEROS = "0" * 5000 + "1"


async def fit_small(client: Client) -> None:
    response = await client.post("/fit/cpu", json=SMALL)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [(ROUNDED, "timestamps[0]"), (TINY_FRACTION, "timestamps[1]")],
    ids=["2**53+1", "1e-16"],
)
@pytest.mark.parametrize("endpoint", ["/fit/cpu", "/update/cpu", "/detect/cpu"])
async def test_a_float_timestamp_a_float64_cannot_hold_is_refused_naming_it(
    memory_client: Client,
    memory_artifacts: InMemoryArtifactStore,
    memory_database: InMemoryDatabase,
    endpoint: str,
    body: bytes,
    field: str,
) -> None:
    await fit_small(memory_client)
    files, rows = dict(memory_artifacts.files), dict(memory_database.rows)

    response = await memory_client.post(endpoint, content=body)

    assert_error(response, 422, "invalid_input", field)
    assert "float" in response.json()["message"]
    assert (memory_artifacts.files, memory_database.rows) == (files, rows)


async def test_a_large_batch_with_a_rounded_float_timestamp_is_refused_naming_it(
    memory_client: Client,
) -> None:
    # Over 256 KiB: the column reader is tried first, and steps aside for the floats.
    stamps = ", ".join(str(2**53 + 1 + index) for index in range(20_000))
    body = f'{{"timestamps": [9007199254740992.0, {stamps}], "values": [{", ".join(["1.5"] * 20_001)}]}}'
    assert len(body) > 256 * 1024
    accepted = await memory_client.post("/fit/big", content=body.encode())
    assert accepted.status_code == 200, accepted.text  # 2**53 itself is held exactly

    refused = await memory_client.post(
        "/fit/big", content=body.replace("9007199254740992.0", "9007199254740993.0")
    )

    assert_error(refused, 422, "invalid_input", "timestamps[0]")


@pytest.mark.parametrize(
    "timestamp", [b"9007199254740993.0", b"1705000010.0000001", b"9.007199254740993e15"], ids=str
)
async def test_a_predicted_float_timestamp_a_float64_cannot_hold_is_refused(
    memory_client: Client, timestamp: bytes
) -> None:
    await fit_small(memory_client)

    response = await memory_client.post(
        "/predict/cpu", content=b'{"timestamp": ' + timestamp + b', "value": 1}'
    )

    assert_error(response, 422, "invalid_input", "timestamp")


@pytest.mark.parametrize("timestamp", [b"9007199254740992.0", b"1705000010.0", b"1.70500001e9"], ids=str)
async def test_a_float_timestamp_a_float64_holds_is_the_integer_it_equals(
    memory_client: Client, timestamp: bytes
) -> None:
    await fit_small(memory_client)

    response = await memory_client.post(
        "/predict/cpu", content=b'{"timestamp": ' + timestamp + b', "value": 1}'
    )

    assert response.status_code == 200, response.text


async def test_a_timestamp_string_of_thousands_of_digits_is_refused_naming_it(memory_client: Client) -> None:
    await fit_small(memory_client)
    point = json.dumps({"timestamp": THOUSANDS_OF_ZEROS, "value": 1.0})
    points = json.dumps({"timestamps": [1, THOUSANDS_OF_ZEROS, 3], "values": [1.0, 2.0, 3.0]})

    assert_error(await memory_client.post("/predict/cpu", content=point), 422, "invalid_input", "timestamp")
    for endpoint in ("/fit/cpu", "/update/cpu", "/detect/cpu"):
        response = await memory_client.post(endpoint, content=points)
        assert_error(response, 422, "invalid_input", "timestamps[1]")


@pytest.mark.parametrize("version", [THOUSANDS_OF_ZEROS, "v" + THOUSANDS_OF_ZEROS])
async def test_a_version_of_thousands_of_digits_is_refused_naming_it(
    memory_client: Client, version: str
) -> None:
    await fit_small(memory_client)
    point = {"timestamp": 1705000010, "value": 1.0}
    points = {"timestamps": [1705000400], "values": [1.0]}

    responses = [
        await memory_client.get(f"/series/cpu/versions/{version}"),
        await memory_client.delete(f"/series/cpu/versions/{version}"),
        await memory_client.get("/plot", params={"series_id": "cpu", "version": version}),
        await memory_client.post("/predict/cpu", json=point, params={"version": version}),
        await memory_client.post("/detect/cpu", json=points, params={"version": version}),
        await memory_client.post("/update/cpu", json=points, params={"version": version}),
    ]

    for response in responses:
        assert_error(response, 422, "invalid_input", "version")
    assert (await memory_client.get("/series/cpu/versions/1")).status_code == 200
