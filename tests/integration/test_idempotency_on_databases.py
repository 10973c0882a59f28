"""Idempotent fits in the production wiring (SQL metadata, files on disk) on SQLite and PostgreSQL."""

import asyncio
import json
from pathlib import Path

from litestar.testing import AsyncTestClient

from anomaly.bootstrap import create_app
from tests.conftest import file_settings
from tests.support.concurrent_client import served_in_this_loop
from tests.support.payloads import SMALL
from tests.support.stored import artifact_files, stored_file, stored_versions

BODY = json.dumps(SMALL).encode()
HEADERS = {"Idempotency-Key": "nightly-fit-2026-11-26"}
REPLAYED = "Idempotent-Replayed"


async def test_simultaneous_retries_with_one_key_fit_once(sql_url: str, tmp_path: Path) -> None:
    async with served_in_this_loop(create_app(file_settings(tmp_path, sql_url))) as client:
        responses = await asyncio.gather(
            *(client.post("/fit/hot", content=BODY, headers=HEADERS) for _ in range(30))
        )
        later = await client.post("/fit/hot", content=BODY, headers=HEADERS)
    statuses = [response.status_code for response in responses]
    assert set(statuses) <= {200, 409}, statuses
    answered = [response for response in responses if response.status_code == 200]
    assert answered
    assert len({response.content for response in answered}) == 1
    assert json.loads(answered[0].content)["version"] == 1
    assert sum(REPLAYED not in response.headers for response in answered) == 1
    for busy in (response for response in responses if response.status_code == 409):
        assert busy.json()["error"] == "idempotency_key_in_use"
    assert (later.status_code, later.content, later.headers[REPLAYED]) == (200, answered[0].content, "true")
    assert [row.version for row in await stored_versions(sql_url, "hot")] == [1]
    assert len(artifact_files(tmp_path)) == 2


async def test_replays_write_no_files(sql_url: str, tmp_path: Path) -> None:
    async with AsyncTestClient(app=create_app(file_settings(tmp_path, sql_url))) as client:
        first = await client.post("/fit/cpu", content=BODY, headers=HEADERS)
        replays = [await client.post("/fit/cpu", content=BODY, headers=HEADERS) for _ in range(3)]
    assert first.status_code == 200
    assert REPLAYED not in first.headers
    assert [(replay.content, replay.headers[REPLAYED]) for replay in replays] == [(first.content, "true")] * 3
    [row] = await stored_versions(sql_url, "cpu")
    assert row.version == 1
    files = artifact_files(tmp_path)
    assert len(files) == 2
    assert {stored_file(tmp_path, row.model.location), stored_file(tmp_path, row.data.location)} == set(files)


async def test_a_key_survives_a_restart_of_the_service(sql_url: str, tmp_path: Path) -> None:
    settings = file_settings(tmp_path, sql_url)
    async with AsyncTestClient(app=create_app(settings)) as client:
        first = await client.post("/fit/cpu", content=BODY, headers=HEADERS)
    async with AsyncTestClient(app=create_app(settings)) as client:
        again = await client.post("/fit/cpu", content=BODY, headers=HEADERS)
        reused = await client.post("/fit/cpu", content=BODY.replace(b"10.5", b"10.6"), headers=HEADERS)
    assert first.status_code == 200
    assert (again.status_code, again.content, again.headers[REPLAYED]) == (200, first.content, "true")
    assert reused.status_code == 422
    assert reused.json()["error"] == "idempotency_key_reused"
    assert len(await stored_versions(sql_url, "cpu")) == 1
