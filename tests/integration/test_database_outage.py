"""PostgreSQL connections cut under load: requests fail fast with 503, and the service recovers alone."""

import asyncio
import concurrent.futures
import threading
import time
from collections import Counter
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from tests.support.payloads import batch
from tests.support.postgres import admin_url, plain_url
from tests.support.proxy import tcp_proxy
from tests.support.server import running_server
from tests.support.stored import artifact_files

POINT = {"timestamp": 1, "value": 10.0}


async def terminate_backends(database: str) -> int:
    connection = await asyncpg.connect(plain_url(admin_url()), timeout=10)
    try:
        rows = await connection.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await connection.close()
    return len(rows)


def load(base_url: str, stop: threading.Event, outcomes: Counter[int], slowest: list[float]) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while not stop.is_set():
            started = time.monotonic()
            fit = client.post("/fit/outage", json=batch([10.0, 10.5, 9.5]))
            predict = client.post("/predict/outage", json=POINT)
            slowest.append(time.monotonic() - started)
            outcomes.update([fit.status_code, predict.status_code])


def test_cut_connections_give_503s_and_the_service_recovers(postgres_url: str, tmp_path: Path) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    env = {
        "DATABASE_URL": postgres_url,
        "MODEL_STATE_FOLDER": str(tmp_path / "models"),
        "TRAINING_DATA_FOLDER": str(tmp_path / "data"),
        "DATABASE_TIMEOUT_SECONDS": "2",
    }
    outcomes: Counter[int] = Counter()
    slowest: list[float] = []
    stop = threading.Event()
    with running_server(tmp_path, env, workers=2) as base_url:
        assert httpx.post(f"{base_url}/fit/outage", json=batch([10.0, 10.5, 9.5])).status_code == 200
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            workers = [pool.submit(load, base_url, stop, outcomes, slowest) for _ in range(8)]
            terminated = 0
            for _ in range(5):
                time.sleep(0.4)
                terminated += asyncio.run(terminate_backends(database))
                assert httpx.get(f"{base_url}/health/live").status_code == 200
            stop.set()
            for worker in workers:
                worker.result(timeout=60)
        # Within seconds of the database's return, everything answers again without a restart.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ready = httpx.get(f"{base_url}/health/ready").status_code == 200
            fitted = httpx.post(f"{base_url}/fit/outage", json=batch([1.0, 2.0, 3.0])).status_code == 200
            predicted = httpx.post(f"{base_url}/predict/outage", json=POINT).status_code == 200
            if ready and fitted and predicted:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the service did not recover within 10 s")
    assert terminated > 0
    print(f"outcomes under cut connections: {dict(outcomes)}, slowest pair {max(slowest):.2f} s")
    assert set(outcomes) <= {200, 503}, outcomes
    assert outcomes[200] > 0
    # No request hung: each pair of requests ended well within the timeouts.
    assert max(slowest) < 10


def test_fits_refused_while_postgresql_is_down_leave_no_file(postgres_url: str, tmp_path: Path) -> None:
    """A fit that certainly failed removes its files at once, also one that found its pooled
    connection dead; only a commit of unknown outcome leaves them, for the sweep."""
    database = make_url(postgres_url)
    with tcp_proxy(database.host or "127.0.0.1", database.port or 5432) as proxy:
        env = {
            "DATABASE_URL": database.set(port=proxy.port).render_as_string(hide_password=False),
            "MODEL_STATE_FOLDER": str(tmp_path / "models"),
            "TRAINING_DATA_FOLDER": str(tmp_path / "data"),
            "DATABASE_TIMEOUT_SECONDS": "2",
            "GC_INTERVAL_SECONDS": "0",
        }
        with running_server(tmp_path, env) as base_url:

            def fit(series: int) -> int:
                body = batch([10.0, 10.5, float(series % 7)])
                return httpx.post(f"{base_url}/fit/s{series % 4}", json=body, timeout=30).status_code

            with concurrent.futures.ThreadPoolExecutor(16) as pool:
                # Fits at once fill the pool with connections, which then sit there when it goes.
                assert set(pool.map(fit, range(64))) == {200}
                fitted = artifact_files(tmp_path)
                proxy.down()  # PostgreSQL stops: its connections are cut, new ones refused
                refused = list(pool.map(fit, range(40)))
            assert refused == [503] * 40
            assert artifact_files(tmp_path) == fitted
            proxy.up()
            deadline = time.monotonic() + 10
            while fit(0) != 200:
                assert time.monotonic() < deadline, "no fit went through once PostgreSQL was back"
                time.sleep(0.2)
