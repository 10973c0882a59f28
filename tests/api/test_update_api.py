"""POST /update/{series_id}: judge new points, fold them in, record the next version."""

import asyncio
from typing import Any

from httpx import Response
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api.test_detect_api import assert_error

Client = AsyncTestClient[Litestar]
FIT: dict[str, Any] = {"timestamps": [1, 2, 3, 4], "values": [10.0, 10.4, 9.7, 10.1]}
POINTS: dict[str, Any] = {"timestamps": [5, 5, 4], "values": [10.0, 13.0, 10.2]}


async def fit(client: Client, series_id: str = "cpu", body: dict[str, Any] = FIT) -> None:
    response = await client.post(f"/fit/{series_id}", json=body)
    assert response.status_code == 200, response.text


async def update(client: Client, body: dict[str, Any] = POINTS, **params: str) -> Response:
    return await client.post("/update/cpu", json=body, params=params)


async def test_an_update_judges_the_points_then_records_the_next_version(memory_client: Client) -> None:
    await fit(memory_client)
    detected = (await memory_client.post("/detect/cpu", json=POINTS)).json()
    response = await update(memory_client)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["version"] == 2
    assert answer["based_on"] == 1
    assert answer["kind"] == "gaussian"
    assert answer["points_used"] == 7
    assert answer["points"] == 3
    # The points are judged against the version they are folded into, as /detect judges them.
    for column in ("anomaly", "score", "anomaly_score", "expected", "lower_bound", "upper_bound"):
        assert answer[column] == detected[column], column
    assert answer["anomalies"] == detected["anomalies"] == 1
    # The next version has learnt them: it is the model of all seven points.
    everything = {"timestamps": [1, 2, 3, 4, 5, 6, 7], "values": [*FIT["values"], *POINTS["values"]]}
    await fit(memory_client, "all", everything)
    ours = (await memory_client.get("/series/cpu/versions/2")).json()["model"]
    reference = (await memory_client.get("/series/all/versions/1")).json()["model"]
    assert abs(ours["mean"] - reference["mean"]) <= 1e-15 * reference["mean"]
    assert abs(ours["std"] - reference["std"]) <= 1e-12 * reference["std"]
    assert (ours["first_timestamp"], ours["last_timestamp"]) == (1, 5)


async def test_an_update_keeps_the_kind_and_parameters_of_its_version(memory_client: Client) -> None:
    await fit(memory_client, body={**FIT, "parameters": {"half_life": 50}})
    assert (await update(memory_client)).status_code == 200
    listed = (await memory_client.get("/series/cpu/versions/2")).json()
    assert (listed["kind"], listed["parameters"]) == ("gaussian", {"half_life": 50.0})
    named = await update(memory_client, {**POINTS, "kind": "gaussian"})
    assert_error(named, 422, "invalid_input", "kind")
    tuned = await update(memory_client, {**POINTS, "parameters": {"half_life": 5}})
    assert_error(tuned, 422, "invalid_input", "parameters")


async def test_a_pinned_update_folds_into_that_version(memory_client: Client) -> None:
    await fit(memory_client)
    await fit(memory_client, body={"timestamps": [1, 2, 3], "values": [100.0, 101.0, 102.0]})
    answer = (await update(memory_client, version="1")).json()
    assert (answer["version"], answer["based_on"], answer["points_used"]) == (3, 1, 7)


async def test_an_update_of_the_newest_version_that_lost_the_race_records_nothing(
    memory_client: Client,
) -> None:
    await fit(memory_client)
    answers = await asyncio.gather(*(update(memory_client) for _ in range(6)))
    statuses = sorted(answer.status_code for answer in answers)
    # Each update that succeeded folded into the newest version of its moment: none was dropped.
    versions = (await memory_client.get("/series/cpu/versions")).json()["items"]
    assert len(versions) == 1 + statuses.count(200)
    for answer in answers:
        if answer.status_code == 409:
            assert_error(answer, 409, "version_conflict", None)
        else:
            assert answer.status_code == 200
    newest = (await memory_client.get(f"/series/cpu/versions/{len(versions)}")).json()
    assert newest["model"]["points_used"] == 4 + 3 * statuses.count(200)


async def test_updates_of_a_series_without_versions_or_with_empty_batches_fail(memory_client: Client) -> None:
    assert_error(await update(memory_client), 404, "series_not_found", "series_id")
    await fit(memory_client)
    assert_error(
        await update(memory_client, {"timestamps": [], "values": []}), 422, "invalid_input", "values"
    )
    assert_error(await update(memory_client, version="9"), 404, "version_not_found", "version")


async def test_an_update_retried_under_its_key_is_folded_in_once(memory_client: Client) -> None:
    await fit(memory_client)
    headers = {"Idempotency-Key": "stream-batch-0001"}
    first = await memory_client.post("/update/cpu", json=POINTS, headers=headers)
    again = await memory_client.post("/update/cpu", json=POINTS, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert (await memory_client.get("/series/cpu/versions")).json()["total"] == 2
    # The same key for other points, or the same points judged otherwise, is another request.
    other = await memory_client.post("/update/cpu", json=POINTS, headers=headers, params={"k": "2"})
    assert_error(other, 422, "idempotency_key_reused", None)


async def test_the_plot_draws_an_update_version_in_time_order(memory_client: Client) -> None:
    await fit(memory_client, body={**FIT, "kind": "gaussian"})
    assert (await memory_client.get("/plot", params={"series_id": "cpu"})).status_code == 200
    await update(memory_client, {"timestamps": [100, 5, 5], "values": [10.0, 10.1, 10.2]})
    page = await memory_client.get("/plot", params={"series_id": "cpu"})
    assert page.status_code == 200, page.text
    data = page.text.split('id="data" points="')[1].split('"')[0]
    xs = [float(point.split(",")[0]) for point in data.split()]
    assert xs == sorted(xs)
