"""PostgreSQL shutting down, restarting and starting up under a two-worker server: every request
that cannot be served answers 503 database_unavailable, never a 500, and the service recovers alone."""

import asyncio
import concurrent.futures
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.support.payloads import SMALL
from tests.support.private_postgres import PrivatePostgres, private_postgres
from tests.support.server import anomaly, running_server

POINT = {"timestamp": 1, "value": 10.0}


@pytest.fixture(scope="module")
def postgres() -> Iterator[PrivatePostgres]:
    """One server for this module's tests; each leaves it running."""
    with private_postgres() as server:
        yield server


def environment(postgres: PrivatePostgres, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": postgres.url,
        "MODEL_STATE_FOLDER": str(tmp_path / "models"),
        "TRAINING_DATA_FOLDER": str(tmp_path / "data"),
        "DATABASE_TIMEOUT_SECONDS": "2",
    }


@contextmanager
def session_held(url: str) -> Iterator[None]:
    """A connection of the test's own, open until the block ends."""
    with asyncio.Runner() as runner:
        connection = runner.run(asyncpg.connect(url.replace("+asyncpg", ""), timeout=10))
        # The service's own sessions (its start-up opens some: the store pairing) end now, so that
        # what follows is served on new connections, as after a restart.
        runner.run(
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
        )
        try:
            yield
        finally:
            runner.run(connection.close())


def outcome(response: httpx.Response) -> str:
    return (
        str(response.status_code)
        if response.is_success
        else f"{response.status_code} {response.json()['error']}"
    )


def test_requests_while_the_server_shuts_down_answer_503(postgres: PrivatePostgres, tmp_path: Path) -> None:
    env = environment(postgres, tmp_path)
    assert anomaly("migrate", cwd=tmp_path, env=env).returncode == 0
    with running_server(tmp_path, env, workers=2) as base_url:
        # A smart shutdown waits for this session to end, refusing every new connection meanwhile
        # with SQLSTATE 57P03, "the database system is shutting down"; the service's are ended.
        with session_held(postgres.url):
            postgres.stop("smart", wait=False)
            answers = [
                outcome(httpx.post(f"{base_url}/fit/cpu", json=SMALL)),
                outcome(httpx.post(f"{base_url}/predict/cpu", json=POINT)),
                outcome(httpx.get(f"{base_url}/series")),
            ]
            ready = httpx.get(f"{base_url}/health/ready")
        assert answers == ["503 database_unavailable"] * 3
        assert (ready.status_code, ready.json()) == (
            503,
            {"status": "unavailable", "message": "the metadata database is unavailable"},
        )
        postgres.wait_until_stopped()  # its last session gone, it stops: connections are refused
        assert outcome(httpx.post(f"{base_url}/fit/cpu", json=SMALL)) == "503 database_unavailable"
        postgres.start()
        assert outcome(httpx.post(f"{base_url}/fit/cpu", json=SMALL)) == "200"


def load(base_url: str, stop: threading.Event, outcomes: Counter[str]) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while not stop.is_set():
            outcomes[outcome(client.post("/fit/restarted", json=SMALL))] += 1
            outcomes[outcome(client.post("/predict/restarted", json=POINT))] += 1


def test_restarts_under_load_answer_503_and_the_service_recovers(
    postgres: PrivatePostgres, tmp_path: Path
) -> None:
    env = environment(postgres, tmp_path)
    assert anomaly("migrate", cwd=tmp_path, env=env).returncode == 0
    outcomes: Counter[str] = Counter()
    stop = threading.Event()
    with running_server(tmp_path, env, workers=2) as base_url:
        assert httpx.post(f"{base_url}/fit/restarted", json=SMALL).status_code == 200
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            clients = [pool.submit(load, base_url, stop, outcomes) for _ in range(8)]
            for _ in range(3):
                stop.wait(1.0)
                postgres.restart()
            stop.wait(1.0)
            stop.set()
            for client in clients:
                client.result(timeout=60)
        assert httpx.post(f"{base_url}/fit/restarted", json=SMALL).status_code == 200
        assert httpx.post(f"{base_url}/predict/restarted", json=POINT).status_code == 200
    print(f"outcomes across 3 restarts: {dict(outcomes)}")
    assert set(outcomes) <= {"200", "503 database_unavailable"}, outcomes
    assert outcomes["503 database_unavailable"] > 0
