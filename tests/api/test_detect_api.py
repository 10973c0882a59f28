"""POST /predict/{series_id} and POST /detect/{series_id} on in-memory adapters: what a client sees."""

import json
import math
import statistics
from typing import Any

import numpy as np
import pytest
from httpx import Response
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.payloads import SMALL, batch

Client = AsyncTestClient[Litestar]

POINT = {"timestamp": 1705000010, "value": 13.0}
SMALL_VALUES: list[float] = SMALL["values"]


async def fit(client: Client, series_id: str, body: dict[str, Any]) -> int:
    response = await client.post(f"/fit/{series_id}", json=body)
    assert response.status_code == 200, response.text
    version: int = response.json()["version"]
    return version


async def predict(client: Client, series_id: str, value: float, **params: str) -> dict[str, Any]:
    response = await client.post(
        f"/predict/{series_id}", json={"timestamp": 1705000010, "value": value}, params=params
    )
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


def assert_error(response: Response, status: int, error: str, field: str | None) -> None:
    assert response.status_code == status, response.text
    payload = response.json()
    assert payload["success"] is False
    assert payload["error"] == error
    assert payload["field"] == field
    assert isinstance(payload["message"], str)
    assert payload["message"]


# --- POST /predict ------------------------------------------------------------------------------


async def test_a_prediction_answers_with_the_verdict_band_and_model(memory_client: Client) -> None:
    await fit(memory_client, "cpu", SMALL)
    mean = statistics.fmean(SMALL_VALUES)
    std = statistics.pstdev(SMALL_VALUES)

    response = await memory_client.post("/predict/cpu", json=POINT)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    payload = response.json()
    assert list(payload) == [
        "anomaly",
        "model_version",
        "score",
        "lower",
        "upper",
        "mean",
        "std",
        "expected",
        "anomaly_score",
        "kind",
    ]
    assert payload["anomaly"] is True
    assert payload["model_version"] == 1
    assert payload["mean"] == pytest.approx(mean, rel=1e-12)
    assert payload["std"] == pytest.approx(std, rel=1e-12)
    z = (13.0 - mean) / std
    assert payload["score"] == pytest.approx(z, rel=1e-12)
    assert payload["lower"] == pytest.approx(mean - 3 * std, rel=1e-12)
    assert payload["upper"] == pytest.approx(mean + 3 * std, rel=1e-12)
    assert payload["expected"] == payload["mean"]
    assert payload["anomaly_score"] == pytest.approx(abs(z) / (abs(z) + 3), rel=1e-12)
    assert payload["kind"] == "gaussian"


async def test_a_value_inside_the_band_is_not_an_anomaly(memory_client: Client) -> None:
    await fit(memory_client, "cpu", SMALL)

    payload = await predict(memory_client, "cpu", 10.9)

    assert payload["anomaly"] is False
    assert payload["score"] == pytest.approx(0.9 / statistics.pstdev(SMALL_VALUES), rel=1e-9)


async def test_a_timestamp_may_be_a_string_of_digits(memory_client: Client) -> None:
    await fit(memory_client, "cpu", SMALL)

    as_string = await memory_client.post("/predict/cpu", json={"timestamp": "1705000010", "value": 13.0})
    as_number = await memory_client.post("/predict/cpu", json=POINT)

    assert as_string.status_code == 200
    assert as_string.json() == as_number.json()


async def test_a_whole_float_timestamp_is_the_integer_it_equals(memory_client: Client) -> None:
    # JSON Schema counts 1705000010.0 as an integer; so does the API.
    await fit(memory_client, "cpu", SMALL)
    as_float = await memory_client.post("/predict/cpu", content=b'{"timestamp": 1705000010.0, "value": 13.0}')
    as_integer = await memory_client.post("/predict/cpu", json={"timestamp": 1705000010, "value": 13.0})
    assert as_float.status_code == 200
    assert as_float.json() == as_integer.json()


BAD_POINTS: list[tuple[str, Any, int, str]] = [
    ("letters in a string timestamp", {"timestamp": "12a", "value": 1.0}, 422, "timestamp"),
    ("negative string timestamp", {"timestamp": "-5", "value": 1.0}, 422, "timestamp"),
    ("empty string timestamp", {"timestamp": "", "value": 1.0}, 422, "timestamp"),
    ("decimal string timestamp", {"timestamp": "1.5", "value": 1.0}, 422, "timestamp"),
    ("non-ASCII digits", {"timestamp": "\u0661\u0662", "value": 1.0}, 422, "timestamp"),
    ("string past int64", {"timestamp": "9" * 20, "value": 1.0}, 422, "timestamp"),
    ("negative timestamp", {"timestamp": -5, "value": 1.0}, 422, "timestamp"),
    ("bool timestamp", {"timestamp": True, "value": 1.0}, 422, "timestamp"),
    ("null timestamp", {"timestamp": None, "value": 1.0}, 422, "timestamp"),
    ("float timestamp", {"timestamp": 1.5, "value": 1.0}, 422, "timestamp"),
    ("float timestamp past int64", {"timestamp": 9.3e18, "value": 1.0}, 422, "timestamp"),
    ("missing value", {"timestamp": 1705000010}, 422, "value"),
    ("missing timestamp", {"value": 1.0}, 422, "timestamp"),
    ("string value", {"timestamp": 1705000010, "value": "13.0"}, 422, "value"),
    ("bool value", {"timestamp": 1705000010, "value": False}, 422, "value"),
    ("null value", {"timestamp": 1705000010, "value": None}, 422, "value"),
    ("overflowing value", '{"timestamp": 1705000010, "value": 1e999}', 422, "value"),
    ("unknown field", {"timestamp": 1705000010, "value": 1.0, "valu": 2}, 422, "valu"),
    ("NaN literal", '{"timestamp": 1705000010, "value": NaN}', 400, "body"),
    ("Infinity literal", '{"timestamp": 1705000010, "value": -Infinity}', 400, "body"),
    ("empty body", "", 400, "body"),
    ("not an object", [1705000010, 1.0], 422, "body"),
]


@pytest.mark.parametrize(
    ("case", "body", "status", "field"), BAD_POINTS, ids=[case for case, *_ in BAD_POINTS]
)
async def test_a_bad_point_is_refused_naming_the_field(
    memory_client: Client, case: str, body: Any, status: int, field: str
) -> None:
    await fit(memory_client, "cpu", SMALL)
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()

    response = await memory_client.post("/predict/cpu", content=content)

    assert_error(response, status, "invalid_input" if status == 422 else "malformed_json", field)
    assert response.json()["series_id"] == "cpu", case


async def test_the_latest_version_is_used_unless_one_is_pinned(memory_client: Client) -> None:
    await fit(memory_client, "cpu", SMALL)
    await fit(memory_client, "cpu", batch([100.0, 110.0, 90.0]))

    latest = await predict(memory_client, "cpu", 13.0)
    pinned = await predict(memory_client, "cpu", 13.0, version="1")
    pinned_with_v = await predict(memory_client, "cpu", 13.0, version="v1")

    assert latest["model_version"] == 2
    assert latest["mean"] == pytest.approx(100.0)
    assert latest["anomaly"] is False
    assert pinned["model_version"] == 1
    assert pinned["mean"] == pytest.approx(10.0)
    assert pinned["anomaly"] is True
    assert pinned_with_v == pinned


async def test_latest_moves_to_a_new_version_as_soon_as_it_is_fitted(memory_client: Client) -> None:
    await fit(memory_client, "cpu", SMALL)
    before = await predict(memory_client, "cpu", 13.0)

    version = await fit(memory_client, "cpu", batch([13.0, 13.5, 12.5]))
    after = await predict(memory_client, "cpu", 13.0)

    assert before["model_version"] == 1
    assert version == 2
    assert after["model_version"] == 2
    assert after["mean"] == pytest.approx(13.0)
    assert after["anomaly"] is False
    assert after["score"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("version", ["0", "v0", "abc", "-1", "1.0", "v", ""])
async def test_a_malformed_version_is_refused(memory_client: Client, version: str) -> None:
    await fit(memory_client, "cpu", SMALL)

    response = await memory_client.post("/predict/cpu", json=POINT, params={"version": version})

    assert_error(response, 422, "invalid_input", "version")


async def test_a_version_that_does_not_exist_is_a_404(memory_client: Client) -> None:
    await fit(memory_client, "cpu", SMALL)

    response = await memory_client.post("/predict/cpu", json=POINT, params={"version": "2"})

    assert_error(response, 404, "version_not_found", "version")
    assert response.json()["series_id"] == "cpu"


@pytest.mark.parametrize("params", [{}, {"version": "1"}])
async def test_an_unknown_series_is_a_404(memory_client: Client, params: dict[str, str]) -> None:
    await fit(memory_client, "cpu", SMALL)

    response = await memory_client.post("/predict/disk", json=POINT, params=params)

    assert_error(response, 404, "series_not_found", "series_id")
    assert response.json()["series_id"] == "disk"


async def test_k_and_direction_change_the_band_and_the_verdict(memory_client: Client) -> None:
    await fit(memory_client, "cpu", SMALL)
    mean = statistics.fmean(SMALL_VALUES)
    std = statistics.pstdev(SMALL_VALUES)
    low = mean - 2.5 * std

    default = await predict(memory_client, "cpu", low)
    custom = await predict(memory_client, "cpu", low, k="2", direction="both")
    downwards = await predict(memory_client, "cpu", low, direction="down")

    assert default["anomaly"] is False
    assert custom["anomaly"] is True
    assert downwards["anomaly"] is False
    assert custom["lower"] == pytest.approx(mean - 2 * std, rel=1e-12)
    assert custom["upper"] == pytest.approx(mean + 2 * std, rel=1e-12)
    assert custom["score"] == default["score"]
    assert default["score"] == pytest.approx(-2.5, rel=1e-9)


@pytest.mark.parametrize(
    ("params", "field"), [({"direction": "sideways"}, "direction"), ({"k": "abc"}, "k"), ({"k": ""}, "k")]
)
async def test_an_unparseable_query_parameter_is_a_422_naming_it(
    memory_client: Client, params: dict[str, str], field: str
) -> None:
    await fit(memory_client, "cpu", SMALL)

    response = await memory_client.post("/predict/cpu", json=POINT, params=params)

    assert_error(response, 422, "invalid_input", field)
    assert field in response.json()["message"]


@pytest.mark.parametrize("k", ["-1", "nan", "inf", "1000001"])
async def test_a_k_out_of_range_is_a_422_naming_k(memory_client: Client, k: str) -> None:
    await fit(memory_client, "cpu", SMALL)

    response = await memory_client.post("/predict/cpu", json=POINT, params={"k": k})

    assert_error(response, 422, "invalid_input", "k")


@pytest.mark.parametrize("alert", ["0", "-0.5", "1.5", "nan", "abc"])
@pytest.mark.parametrize("endpoint", ["predict", "detect"])
async def test_an_alert_outside_zero_to_one_is_a_422_naming_alert(
    memory_client: Client, endpoint: str, alert: str
) -> None:
    await fit(memory_client, "cpu", SMALL)
    body = POINT if endpoint == "predict" else batch([13.0])

    response = await memory_client.post(f"/{endpoint}/cpu", json=body, params={"alert": alert})

    assert_error(response, 422, "invalid_input", "alert")


async def test_a_gaussian_model_flags_on_its_band_whatever_the_alert(memory_client: Client) -> None:
    await fit(memory_client, "cpu", SMALL)

    default = await predict(memory_client, "cpu", 13.0)
    for alert in ("0.01", "0.5", "1"):
        assert await predict(memory_client, "cpu", 13.0, alert=alert) == default
    assert default["anomaly"] is True


async def test_a_constant_model_accepts_its_mean_and_flags_anything_above(memory_client: Client) -> None:
    await fit(memory_client, "flat", batch([5.0] * 5))

    on_mean = await predict(memory_client, "flat", 5.0)
    above = await predict(memory_client, "flat", 5.000001)

    assert on_mean["anomaly"] is False
    assert on_mean["score"] == 0.0
    assert (on_mean["lower"], on_mean["upper"], on_mean["std"]) == (5.0, 5.0, 0.0)
    assert (on_mean["expected"], on_mean["anomaly_score"]) == (5.0, 0.0)
    assert above["anomaly"] is True
    assert above["score"] is None
    assert above["anomaly_score"] == 1.0  # never null, though the z-score is undefined


# --- POST /detect -------------------------------------------------------------------------------


async def test_a_detection_answers_per_point_in_request_order(memory_client: Client) -> None:
    await fit(memory_client, "cpu", SMALL)
    mean = statistics.fmean(SMALL_VALUES)
    std = statistics.pstdev(SMALL_VALUES)
    values = [10.0, 13.0, 7.0, 10.9, 12.0]

    response = await memory_client.post("/detect/cpu", json=batch(values))

    assert response.status_code == 200
    payload = response.json()
    assert payload["series_id"] == "cpu"
    assert payload["model_version"] == 1
    assert payload["points"] == 5
    assert payload["anomaly"] == [False, True, False, False, True]
    assert payload["anomalies"] == 2
    assert payload["score"] == pytest.approx([(value - mean) / std for value in values], rel=1e-9)
    assert payload["mean"] == pytest.approx(mean, rel=1e-12)
    assert payload["std"] == pytest.approx(std, rel=1e-12)
    assert payload["lower"] == pytest.approx(mean - 3 * std, rel=1e-12)
    assert payload["upper"] == pytest.approx(mean + 3 * std, rel=1e-12)
    assert list(payload) == [
        "series_id",
        "model_version",
        "kind",
        "points",
        "anomalies",
        "lower",
        "upper",
        "mean",
        "std",
        "anomaly",
        "score",
        "anomaly_score",
        "expected",
        "lower_bound",
        "upper_bound",
    ]
    assert payload["kind"] == "gaussian"
    # A gaussian model expects its mean, within the same band, at every time.
    assert payload["expected"] == [payload["mean"]] * 5
    assert payload["lower_bound"] == [payload["lower"]] * 5
    assert payload["upper_bound"] == [payload["upper"]] * 5
    distances = [abs(value - mean) / std for value in values]
    assert payload["anomaly_score"] == pytest.approx([z / (z + 3) for z in distances], rel=1e-9)


async def test_an_empty_batch_gets_empty_answers(memory_client: Client) -> None:
    await fit(memory_client, "cpu", SMALL)

    response = await memory_client.post("/detect/cpu", json={"timestamps": [], "values": []})

    assert response.status_code == 200
    payload = response.json()
    assert (payload["points"], payload["anomalies"]) == (0, 0)
    assert payload["anomaly"] == []
    assert payload["score"] == []
    for column in ("anomaly_score", "expected", "lower_bound", "upper_bound"):
        assert payload[column] == []
    assert payload["model_version"] == 1


async def test_a_detection_agrees_with_predictions_point_by_point(memory_client: Client) -> None:
    await fit(memory_client, "cpu", SMALL)
    values = [8.5, 9.0, 10.0, 11.5, 14.0]
    params = {"k": "1.5", "direction": "both"}

    detection = (await memory_client.post("/detect/cpu", json=batch(values), params=params)).json()
    predictions = [await predict(memory_client, "cpu", value, **params) for value in values]

    assert detection["anomaly"] == [prediction["anomaly"] for prediction in predictions]
    assert detection["score"] == [prediction["score"] for prediction in predictions]
    assert detection["anomaly_score"] == [prediction["anomaly_score"] for prediction in predictions]
    assert detection["expected"] == [prediction["expected"] for prediction in predictions]
    assert detection["lower_bound"] == [prediction["lower"] for prediction in predictions]
    assert detection["upper_bound"] == [prediction["upper"] for prediction in predictions]
    assert detection["anomalies"] == sum(prediction["anomaly"] for prediction in predictions)
    for key in ("lower", "upper", "mean", "std", "model_version", "kind"):
        assert {detection[key]} == {prediction[key] for prediction in predictions}


async def test_a_detection_on_a_constant_model_has_null_scores_off_the_mean(memory_client: Client) -> None:
    await fit(memory_client, "flat", batch([5.0] * 5))

    payload = (await memory_client.post("/detect/flat", json=batch([5.0, 6.0, 4.0]))).json()

    assert payload["anomaly"] == [False, True, False]
    assert payload["score"] == [0.0, None, None]
    assert payload["anomaly_score"] == [0.0, 1.0, 1.0]  # never null: off a constant model's mean is 1
    assert payload["expected"] == payload["lower_bound"] == payload["upper_bound"] == [5.0] * 3
    assert payload["anomalies"] == 1


async def test_a_detection_pins_versions_and_takes_thresholds(memory_client: Client) -> None:
    await fit(memory_client, "cpu", SMALL)
    await fit(memory_client, "cpu", batch([100.0, 110.0, 90.0]))

    latest = (await memory_client.post("/detect/cpu", json=batch([13.0, 7.0]))).json()
    pinned = (
        await memory_client.post(
            "/detect/cpu", json=batch([13.0, 7.0]), params={"version": "v1", "direction": "both"}
        )
    ).json()

    assert latest["model_version"] == 2
    assert latest["anomaly"] == [False, False]
    assert pinned["model_version"] == 1
    assert pinned["anomaly"] == [True, True]


BAD_DETECT_BATCHES: list[tuple[str, Any, int, str]] = [
    ("lengths differ", {"timestamps": [1, 2, 3], "values": [1.0, 2.0]}, 422, "values"),
    ("string value", {"timestamps": [1, 2, 3], "values": [1.0, "2.0", 3.0]}, 422, "values[1]"),
    ("word timestamp", {"timestamps": [1, "two", 3], "values": [1.0, 2.0, 3.0]}, 422, "timestamps[1]"),
    (
        "date-time without offset",
        {"timestamps": [1, "2024-01-11T19:06:40", 3], "values": [1.0, 2.0, 3.0]},
        422,
        "timestamps[1]",
    ),
    ("null value", {"timestamps": [1, 2, 3], "values": [1.0, None, 3.0]}, 422, "values[1]"),
    ("negative timestamp", {"timestamps": [-1, 2, 3], "values": [1.0, 2.0, 3.0]}, 422, "timestamps[0]"),
    ("overflowing value", '{"timestamps": [1, 2], "values": [1.0, 1e999]}', 422, "values[1]"),
    ("unknown field", {"timestamps": [1], "values": [1.0], "valuez": []}, 422, "valuez"),
    ("missing field", {"values": [1.0]}, 422, "timestamps"),
    ("NaN literal", '{"timestamps": [1, 2], "values": [1.0, NaN]}', 400, "body"),
]


@pytest.mark.parametrize(
    ("case", "body", "status", "field"), BAD_DETECT_BATCHES, ids=[case for case, *_ in BAD_DETECT_BATCHES]
)
async def test_a_bad_detection_batch_is_refused_naming_the_field(
    memory_client: Client, case: str, body: Any, status: int, field: str
) -> None:
    await fit(memory_client, "cpu", SMALL)
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()

    response = await memory_client.post("/detect/cpu", content=content)

    assert_error(response, status, "invalid_input" if status == 422 else "malformed_json", field)
    assert field.split("[", maxsplit=1)[0] in response.json()["message"], case


async def test_a_detection_on_an_unknown_series_is_a_404(memory_client: Client) -> None:
    response = await memory_client.post("/detect/nothing", json=batch([1.0]))

    assert_error(response, 404, "series_not_found", "series_id")


async def test_a_large_batch_flags_what_numpy_flags(memory_client: Client) -> None:
    rng = np.random.default_rng(20240111)
    training = rng.normal(100.0, 10.0, 1_000)
    await fit(memory_client, "big", batch(training.tolist()))
    values = rng.normal(100.0, 15.0, 50_000)

    response = await memory_client.post("/detect/big", json=batch(values.tolist(), step=1))

    assert response.status_code == 200
    payload = response.json()
    mean, std = float(training.mean()), float(training.std())
    assert payload["mean"] == pytest.approx(mean, rel=1e-12)
    assert payload["std"] == pytest.approx(std, rel=1e-12)
    expected = values > payload["mean"] + 3 * payload["std"]
    assert payload["points"] == 50_000
    assert payload["anomalies"] == int(np.count_nonzero(expected)) > 0
    assert payload["anomaly"] == expected.tolist()
    assert len(payload["score"]) == 50_000
    assert all(math.isfinite(score) for score in payload["score"])


# --- GET /healthcheck ---------------------------------------------------------------------------


async def test_latencies_show_up_in_the_healthcheck(memory_client: Client) -> None:
    before = (await memory_client.get("/healthcheck")).json()
    await fit(memory_client, "cpu", SMALL)
    after_fit = (await memory_client.get("/healthcheck")).json()
    await predict(memory_client, "cpu", 13.0)
    after_predict = (await memory_client.get("/healthcheck")).json()

    assert before["inference_latency_ms"] == {"avg": 0.0, "p95": 0.0}
    assert before["training_latency_ms"] == {"avg": 0.0, "p95": 0.0}
    assert after_fit["series_trained"] == 1
    assert after_fit["training_latency_ms"]["avg"] > 0
    assert after_fit["inference_latency_ms"]["avg"] == 0.0
    assert after_predict["inference_latency_ms"]["avg"] > 0
    assert after_predict["inference_latency_ms"]["p95"] > 0


async def test_a_detection_counts_as_inference_latency(memory_client: Client) -> None:
    await fit(memory_client, "cpu", SMALL)

    await memory_client.post("/detect/cpu", json=batch([10.0, 13.0]))
    health = (await memory_client.get("/healthcheck")).json()

    assert health["inference_latency_ms"]["avg"] > 0


async def test_repeated_and_out_of_order_timestamps_are_each_judged(memory_client: Client) -> None:
    """A stream may repeat a timestamp or step back: each point is judged on its own, none dropped."""
    await fit(memory_client, "cpu", SMALL)
    body = {"timestamps": [5, 5, 3, 9], "values": [10.0, 13.0, 10.1, 13.0]}
    response = await memory_client.post("/detect/cpu", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["anomaly"] == [False, True, False, True]


async def test_timestamps_may_be_rfc_3339_date_times_or_strings_of_digits(memory_client: Client) -> None:
    await fit(memory_client, "cpu", SMALL)
    as_numbers = await memory_client.post(
        "/detect/cpu", json={"timestamps": [1705000240, 1705000300], "values": [10.1, 13.0]}
    )
    as_text = await memory_client.post(
        "/detect/cpu",
        json={"timestamps": ["2024-01-11T19:10:40Z", "2024-01-11T20:11:40+01:00"], "values": [10.1, 13.0]},
    )
    point = await memory_client.post(
        "/predict/cpu", json={"timestamp": "2024-01-11T19:10:40.000Z", "value": 13.0}
    )
    assert as_text.status_code == 200, as_text.text
    assert as_text.json() == as_numbers.json()
    assert point.status_code == 200
    assert point.json()["anomaly"] is True


@pytest.mark.parametrize(
    ("timestamp", "reason"),
    [
        ("2024-01-11T19:06:40.5Z", "whole second"),
        ("1969-12-31T23:59:59Z", "1970"),
        ("2024-02-30T00:00:00Z", "not a valid date-time"),
        ("2024-01-11", "RFC 3339"),
    ],
)
async def test_a_date_time_the_service_cannot_count_in_seconds_is_refused(
    memory_client: Client, timestamp: str, reason: str
) -> None:
    await fit(memory_client, "cpu", SMALL)
    response = await memory_client.post("/predict/cpu", json={"timestamp": timestamp, "value": 1.0})
    assert_error(response, 422, "invalid_input", "timestamp")
    assert reason in response.json()["message"]
