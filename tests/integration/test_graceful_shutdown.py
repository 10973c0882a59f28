"""SIGTERM: readiness turns 503, requests in flight finish, new connections are refused, the process exits."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.payloads import batch
from tests.support.server import anomaly, free_port, wait_until_serving

# uvicorn shuts down cleanly, then re-raises the signal so the exit status says what stopped it.
STOPPED_BY_SIGTERM = (0, -signal.SIGTERM)


@contextmanager
def server(tmp_path: Path, **env: str) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    assert anomaly("migrate", cwd=tmp_path, env={}).returncode == 0
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "anomaly", "serve", "--port", str(port), "--access-log"],
            cwd=tmp_path,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(process, base_url, log)
        yield process, base_url, log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_for_exit(process: subprocess.Popen[bytes], seconds: float) -> int | None:
    deadline = time.monotonic() + seconds
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return process.returncode


def refuses_connections(base_url: str) -> bool:
    try:
        httpx.get(f"{base_url}/health/live", timeout=2)
    except httpx.ConnectError:
        return True
    return False


def test_sigterm_turns_readiness_off_while_still_serving_then_exits(tmp_path: Path) -> None:
    with server(tmp_path, SHUTDOWN_DRAIN_SECONDS="2") as (process, base_url, log):
        assert httpx.get(f"{base_url}/health/ready").status_code == 200
        process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        ready = httpx.get(f"{base_url}/health/ready")
        assert ready.status_code == 503
        assert ready.json()["status"] == "draining"
        assert httpx.get(f"{base_url}/health/live").status_code == 200
        assert httpx.post(f"{base_url}/fit/cpu", json=batch([1.0, 2.0, 3.0])).status_code == 200
        assert wait_for_exit(process, 15) in STOPPED_BY_SIGTERM, log.read_text()
        assert "Application shutdown complete" in log.read_text()
        assert refuses_connections(base_url)


def test_a_request_in_flight_at_sigterm_completes(tmp_path: Path) -> None:
    with server(tmp_path, SHUTDOWN_GRACE_SECONDS="20") as (process, base_url, log):
        body = json.dumps(batch([float(index % 13) for index in range(1_000_000)])).encode()
        port = int(base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            # Half the body is sent before SIGTERM and the rest only once the shutdown has begun,
            # so the request is in flight at the signal however fast the server is.
            head = "POST /fit/big HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            connection.sendall(f"{head}Content-Length: {len(body)}\r\n\r\n".encode())
            connection.sendall(body[: len(body) // 2])
            process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            while "Shutting down" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert "Shutting down" in log.read_text()
            connection.sendall(body[len(body) // 2 :])
            response = http.client.HTTPResponse(connection)
            response.begin()
            assert response.status == 200
            assert json.loads(response.read())["points_used"] == 1_000_000
        assert wait_for_exit(process, 20) in STOPPED_BY_SIGTERM
        text = log.read_text()
        assert text.index("Shutting down") < text.index('"POST /fit/big HTTP/1.1" 200')
        assert refuses_connections(base_url)
