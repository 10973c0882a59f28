"""Large batches, read straight into arrays and answered in slices: clients see what small ones get."""

import json
from typing import Any

import msgspec
import numpy as np
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from anomaly.adapters.http.responses.verdicts import POINTS_PER_SLICE
from anomaly.adapters.http.schemas import DetectResponse
from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.adapters.memory.database import InMemoryDatabase
from anomaly.bootstrap import create_app
from anomaly.domain.detection import Direction, Threshold
from anomaly.domain.kinds.gaussian.model import GAUSSIAN
from anomaly.domain.time_series import BatchLimits, TimeSeries
from anomaly.settings import Settings

Client = AsyncTestClient[Litestar]

START = 1_705_000_000
TRAINING = {"timestamps": [START, START + 60, START + 120, START + 180], "values": [10.0, 10.4, 9.7, 10.1]}
CONSTANT = {"timestamps": [START, START + 60, START + 120], "values": [5.0, 5.0, 5.0]}


def body_of(values: list[float], start: int = START) -> bytes:
    return msgspec.json.encode({"timestamps": list(range(start, start + len(values))), "values": values})


def unstreamed(series_id: str, training: dict[str, Any], values: list[float], threshold: Threshold) -> bytes:
    """The answer as one DetectResponse, encoded whole: what /detect gave before it streamed."""
    limits = BatchLimits(min_points=0, max_points=10**7)
    model = GAUSSIAN.fit(TimeSeries.parse(training["timestamps"], training["values"], limits), {})
    timestamps = np.arange(START, START + len(values), dtype=np.int64)
    judgement = model.judge(timestamps, np.array(values), threshold)
    summary = model.summary()
    lower, upper = summary.band(threshold.k)
    return msgspec.json.encode(
        DetectResponse(
            series_id=series_id,
            model_version=1,
            kind="gaussian",
            points=len(values),
            anomalies=judgement.flagged,
            lower=lower,
            upper=upper,
            mean=summary.mean,
            std=summary.std,
            anomaly=judgement.anomaly.tolist(),
            score=judgement.score.tolist(),
            anomaly_score=judgement.anomaly_score.tolist(),
            expected=judgement.expected.tolist(),
            lower_bound=judgement.lower.tolist(),
            upper_bound=judgement.upper.tolist(),
        )
    )


@pytest.mark.parametrize("points", [POINTS_PER_SLICE, POINTS_PER_SLICE + 1, 2 * POINTS_PER_SLICE + 12_345])
@pytest.mark.parametrize(
    ("training", "params"),
    [(TRAINING, {}), (TRAINING, {"k": "2", "direction": "both"}), (CONSTANT, {"direction": "both"})],
    ids=["default", "k=2 both", "constant model"],
)
async def test_a_large_detection_is_the_document_a_whole_encoding_gives(
    memory_client: Client, points: int, training: dict[str, Any], params: dict[str, str]
) -> None:
    assert (await memory_client.post("/fit/cpu", json=training)).status_code == 200
    rng = np.random.default_rng(points)
    # Around the band, with some points on the mean itself: a constant model scores those 0, others null.
    values = np.where(rng.random(points) < 0.3, training["values"][0], rng.normal(10.0, 0.5, points)).tolist()

    response = await memory_client.post("/detect/cpu", content=body_of(values), params=params)

    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/json"
    direction = Direction(params["direction"]) if "direction" in params else None  # None: gaussian's up
    threshold = Threshold(k=float(params.get("k", 3)), direction=direction)
    expected = unstreamed("cpu", training, values, threshold)
    assert json.loads(response.content) == json.loads(expected)
    assert response.content == expected


async def test_a_large_detection_that_fails_answers_with_its_status(memory_client: Client) -> None:
    body = body_of([10.0] * (POINTS_PER_SLICE + 1))

    missing = await memory_client.post("/detect/nothing", content=body)
    await memory_client.post("/fit/cpu", json=TRAINING)
    no_version = await memory_client.post("/detect/cpu", content=body, params={"version": "9"})

    assert (missing.status_code, missing.json()["error"]) == (404, "series_not_found")
    assert (no_version.status_code, no_version.json()["error"]) == (404, "version_not_found")


async def test_a_large_fit_stores_the_body_as_sent(
    memory_client: Client, memory_artifacts: InMemoryArtifactStore, memory_database: InMemoryDatabase
) -> None:
    values = np.random.default_rng(7).normal(100.0, 15.0, 100_000)
    spaced = ",\n ".join(repr(value) for value in values.tolist())
    stamps = ", ".join(str(START + 60 * index) for index in range(100_000))
    body = f'{{ "values" : [ {spaced} ],\n  "timestamps": [{stamps}] }}\n'.encode()

    response = await memory_client.post("/fit/cpu", content=body)

    assert response.status_code == 200, response.text
    row = memory_database.rows[("cpu", 1)]
    assert await memory_artifacts.load(row.data) == body
    assert row.summary.points_used == 100_000
    assert row.summary.mean == pytest.approx(float(values.mean()), rel=1e-12)
    assert (row.summary.first_timestamp, row.summary.last_timestamp) == (START, START + 60 * 99_999)


STAMPS = ", ".join(str(stamp) for stamp in range(1, 50_001))
VALUES = [float(index % 7) for index in range(50_000)]
VALUES_TEXT = ", ".join(repr(value) for value in VALUES)
AMBIGUOUS = [
    (
        "repeated key",
        f'{{"timestamps": [{STAMPS}], "values": [{"9.0, " * 49_999}9.0], "values": [{VALUES_TEXT}]}}',
    ),
    ("escaped key", f'{{"timestamps": [{STAMPS}], "v\\u0061lues": [{VALUES_TEXT}]}}'),
]


@pytest.mark.parametrize(("case", "body"), AMBIGUOUS, ids=[case for case, _ in AMBIGUOUS])
async def test_a_large_ambiguous_body_is_stored_as_what_was_fitted(
    memory_client: Client,
    memory_artifacts: InMemoryArtifactStore,
    memory_database: InMemoryDatabase,
    case: str,
    body: str,
) -> None:
    response = await memory_client.post("/fit/cpu", content=body.encode())

    assert response.status_code == 200, case
    stored = await memory_artifacts.load(memory_database.rows[("cpu", 1)].data)
    # The bytes, not what json.loads makes of them: it too keeps the last key and reads escapes.
    assert stored == msgspec.json.encode({"timestamps": list(range(1, 50_001)), "values": VALUES})


async def test_large_whole_float_timestamps_are_integers_and_are_stored_as_such(
    memory_client: Client, memory_artifacts: InMemoryArtifactStore, memory_database: InMemoryDatabase
) -> None:
    values = [float(i % 11) for i in range(50_000)]
    content = json.dumps({"timestamps": [float(t) for t in range(1, 50_001)], "values": values}).encode()

    response = await memory_client.post("/fit/cpu", content=content)

    assert response.status_code == 200, response.text
    stored = await memory_artifacts.load(memory_database.rows[("cpu", 1)].data)
    assert stored == msgspec.json.encode({"timestamps": list(range(1, 50_001)), "values": values})


def large_batch(points: int = 40_000) -> dict[str, Any]:
    return {"timestamps": list(range(1, points + 1)), "values": [float(i % 13) for i in range(points)]}


def spoiled(path: str, index: int, bad: Any) -> bytes:
    batch = large_batch()
    batch[path][index] = bad
    return json.dumps(batch).encode()


LARGE_BAD_BATCHES: list[tuple[str, bytes, int, str]] = [
    ("string value", spoiled("values", 30_000, "2.0"), 422, "values[30000]"),
    ("null value", spoiled("values", 3, None), 422, "values[3]"),
    ("nested value", spoiled("values", 39_999, [1.0]), 422, "values[39999]"),
    ("bool timestamp", spoiled("timestamps", 7, True), 422, "timestamps[7]"),
    ("negative timestamp", spoiled("timestamps", 0, -1), 422, "timestamps[0]"),
    ("fractional timestamp", spoiled("timestamps", 20_000, 20_000.5), 422, "timestamps[20000]"),
    ("timestamp past int64", spoiled("timestamps", 39_999, 2**63), 422, "timestamps[39999]"),
    ("overflowing value", spoiled("values", 5, 1e308).replace(b"1e+308", b"1e999"), 422, "values[5]"),
    ("unknown field", json.dumps({**large_batch(), "valuez": []}).encode(), 422, "valuez"),
    ("lengths differ", json.dumps({**large_batch(), "values": [1.0] * 39_999}).encode(), 422, "values"),
    ("NaN literal", spoiled("values", 5, 1e308).replace(b"1e+308", b"NaN"), 400, "body"),
    ("truncated", json.dumps(large_batch()).encode()[:-3], 400, "body"),
]


@pytest.mark.parametrize(
    ("case", "body", "status", "field"), LARGE_BAD_BATCHES, ids=[case for case, *_ in LARGE_BAD_BATCHES]
)
@pytest.mark.parametrize("endpoint", ["fit", "detect"])
async def test_a_bad_large_batch_is_refused_naming_the_field(
    memory_client: Client,
    memory_artifacts: InMemoryArtifactStore,
    endpoint: str,
    case: str,
    body: bytes,
    status: int,
    field: str,
) -> None:
    await memory_client.post("/fit/model", json=TRAINING)
    stored = dict(memory_artifacts.files)

    response = await memory_client.post(f"/{endpoint}/model", content=body)

    assert response.status_code == status, case
    payload = response.json()
    assert payload["error"] == ("invalid_input" if status == 422 else "malformed_json")
    assert payload["field"] == field
    assert memory_artifacts.files == stored


async def test_a_large_body_over_the_size_limit_is_a_413(memory_adapters: Any) -> None:
    body = body_of([1.0] * 40_000)
    app = create_app(Settings(max_request_body_bytes=len(body) - 1), adapters=memory_adapters)
    async with AsyncTestClient(app=app) as client:
        too_large = await client.post("/fit/cpu", content=body)
        detect = await client.post("/detect/cpu", content=body)

    for response in (too_large, detect):
        assert response.status_code == 413
        assert response.json()["error"] == "payload_too_large"


async def test_a_large_fit_refuses_a_repeated_timestamp_and_a_detection_judges_it(
    memory_client: Client,
) -> None:
    await memory_client.post("/fit/model", json=TRAINING)
    body = spoiled("timestamps", 1_000, 1_000)
    fitted = await memory_client.post("/fit/model", content=body)
    judged = await memory_client.post("/detect/model", content=body)
    assert fitted.status_code == 422
    assert fitted.json()["field"] == "timestamps[1000]"
    assert judged.status_code == 200
    assert judged.json()["points"] == 40_000
