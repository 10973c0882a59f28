"""Reads of the latest version while other clients fit and delete the newest, on PostgreSQL, through
a two-worker server: every read answers with a version, or that the series is gone; never damage."""

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from tests.support.payloads import batch
from tests.support.server import running_server

SECONDS = 6.0
# Large enough that reading a version's files takes a while: deletes have time to commit meanwhile.
HISTORY = batch([float(index % 17) for index in range(20_000)])
SERIES = "raced"
READS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", f"/predict/{SERIES}", {"timestamp": 1_705_000_300, "value": 10.0}),
    ("POST", f"/detect/{SERIES}", {"timestamps": [1_705_000_300], "values": [10.0]}),
    ("GET", f"/plot?series_id={SERIES}", None),
]


async def fit(client: httpx.AsyncClient, stop: float) -> None:
    while time.monotonic() < stop:
        assert (await client.post(f"/fit/{SERIES}", json=HISTORY)).status_code == 200


async def delete_the_newest(client: httpx.AsyncClient, stop: float, deleted: Counter[int]) -> None:
    while time.monotonic() < stop:
        listed = await client.get(f"/series/{SERIES}/versions", params={"limit": 1})
        if listed.status_code == 404 or not listed.json()["items"]:
            await asyncio.sleep(0.001)
            continue
        newest = listed.json()["items"][0]["version"]
        deleted[(await client.delete(f"/series/{SERIES}/versions/{newest}")).status_code] += 1


async def read_the_latest(
    client: httpx.AsyncClient,
    stop: float,
    read: tuple[str, str, dict[str, Any] | None],
    answers: Counter[str],
) -> None:
    method, path, body = read
    while time.monotonic() < stop:
        response = await client.request(method, path, json=body)
        error = "" if response.status_code == 200 else response.json()["error"]
        answers[f"{response.status_code} {error}".strip()] += 1


async def race(base_url: str) -> tuple[Counter[str], Counter[int]]:
    answers: Counter[str] = Counter()
    deleted: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        assert (await client.post(f"/fit/{SERIES}", json=HISTORY)).status_code == 200
        stop = time.monotonic() + SECONDS
        await asyncio.gather(
            *(fit(client, stop) for _ in range(3)),
            *(delete_the_newest(client, stop, deleted) for _ in range(6)),
            *(read_the_latest(client, stop, read, answers) for read in READS for _ in range(4)),
        )
    return answers, deleted


def test_reads_of_the_latest_while_the_newest_is_deleted_never_answer_damage(
    postgres_url: str, tmp_path: Path
) -> None:
    env = {
        "DATABASE_URL": postgres_url,
        "MODEL_STATE_FOLDER": str(tmp_path / "models"),
        "TRAINING_DATA_FOLDER": str(tmp_path / "data"),
    }
    with running_server(tmp_path, env, workers=2) as base_url:
        answers, deleted = asyncio.run(race(base_url))
    print(f"reads: {dict(answers)}; deletes: {dict(deleted)}")
    # A delete that lost the race to another one is a 404; a read may find the series empty.
    assert set(answers) <= {"200", "404 series_not_found"}, answers
    assert answers["200"] > 100
    assert deleted[200] > 20
