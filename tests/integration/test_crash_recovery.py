"""A server killed with SIGKILL in the middle of a stream of fits loses nothing it acknowledged,
duplicates nothing, and leaves nothing that `anomaly gc` cannot sweep."""

import concurrent.futures
import hashlib
import os
import random
import signal
import threading
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from anomaly.adapters.sql.engine import create_engine
from anomaly.adapters.sql.tables import models
from tests.support.payloads import batch
from tests.support.server import anomaly, running_server, server_process
from tests.support.stored import stored_file

SERIES = ["crash", "crash.b"]


def fit_until_refused(base_url: str, acknowledged: list[tuple[str, int]], stop: threading.Event) -> None:
    with httpx.Client(timeout=10) as client:
        while not stop.is_set():
            series = random.choice(SERIES)
            values = [random.uniform(0, 100) for _ in range(random.choice([5, 500, 20_000]))]
            try:
                response = client.post(f"{base_url}/fit/{series}", json=batch(values))
            except httpx.TransportError:
                return  # the server is gone
            if response.status_code == 200:
                acknowledged.append((series, response.json()["version"]))


async def stored_rows(url: str) -> list[sa.RowMapping]:
    engine = create_engine(url, pool_size=1, timeout_seconds=10)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(sa.select(models))).mappings().all())
    finally:
        await engine.dispose()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_sigkill_during_fits_loses_no_acknowledged_version(sql_url: str, tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": sql_url,
        "MODEL_STATE_FOLDER": str(tmp_path / "models"),
        "TRAINING_DATA_FOLDER": str(tmp_path / "data"),
        "GC_INTERVAL_SECONDS": "0",
    }
    acknowledged: list[tuple[str, int]] = []
    stop = threading.Event()
    with (
        server_process(tmp_path, env, workers=2) as (server, base_url),
        concurrent.futures.ThreadPoolExecutor(6) as pool,
    ):
        senders = [pool.submit(fit_until_refused, base_url, acknowledged, stop) for _ in range(6)]
        time.sleep(random.uniform(1.0, 2.0))
        # The whole server, supervisor and workers, dies at once, mid-stream.
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        stop.set()
        for sender in senders:
            sender.result(timeout=30)
    assert acknowledged, "no fit was acknowledged before the kill"

    rows = await stored_rows(sql_url)
    stored = {(row["series_id"], row["version"]) for row in rows}
    assert set(acknowledged) <= stored
    assert len(acknowledged) == len(set(acknowledged))
    for row in rows:
        for kind in ("model", "data"):
            path = stored_file(tmp_path, row[f"{kind}_path"])
            assert path.is_file(), path
            assert sha256(path) == row[f"{kind}_sha256"], path
    # Numbering goes on from the last committed version: nothing was burnt or duplicated.
    for series in SERIES:
        versions = sorted(version for name, version in stored if name == series)
        assert versions == list(range(1, len(versions) + 1))

    with running_server(tmp_path, env) as base_url:
        after = httpx.post(f"{base_url}/fit/crash", json=batch([1.0, 2.0, 3.0]), timeout=10)
        expected = max((version for name, version in stored if name == "crash"), default=0) + 1
        assert after.json()["version"] == expected

    collected = anomaly("gc", "--grace-seconds", "0", cwd=tmp_path, env=env)
    assert collected.returncode == 0, collected.stderr
    referenced = {
        stored_file(tmp_path, row[f"{kind}_path"])
        for row in await stored_rows(sql_url)
        for kind in ("model", "data")
    }
    # Artifacts, not the service's own files (in +anomaly/, a name no series can have).
    on_disk = {path for path in tmp_path.glob("*/*/*") if path.is_file() and path.parent.name != "+anomaly"}
    assert on_disk == referenced
