"""Runs the `anomaly` command in a subprocess, the way an operator would."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def anomaly(
    *arguments: str, cwd: Path, env: Mapping[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "anomaly", *arguments],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextmanager
def running_server(cwd: Path, env: Mapping[str, str], workers: int = 1) -> Iterator[str]:
    """`anomaly serve` on a free port; yields its base URL and stops it with Ctrl-C (SIGINT)."""
    with server_process(cwd, env, workers) as (_, base_url):
        yield base_url


@contextmanager
def server_process(
    cwd: Path, env: Mapping[str, str], workers: int = 1
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Like `running_server`, also yielding the process, which leads its own process group
    (with its workers), so that a test can signal the whole server at once."""
    port = free_port()
    log = cwd / f"server-{port}.log"
    with log.open("wb") as output:
        # A file, not a pipe: nobody has to drain it for the server to keep logging.
        process = subprocess.Popen(
            [sys.executable, "-m", "anomaly", "serve", "--port", str(port), "--workers", str(workers)],
            cwd=cwd,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, base_url, log)
        yield process, base_url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until_serving(
    process: subprocess.Popen[bytes], base_url: str, log: Path, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            httpx.get(f"{base_url}/schema/openapi.json", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer on {base_url} within {timeout} s")
