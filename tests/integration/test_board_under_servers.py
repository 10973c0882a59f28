"""The board of series changes, damaged, restored or deleted under running servers: no server dies,
and none answers with a version older than one the other has acknowledged."""

import os
import shutil
import subprocess
from pathlib import Path

import httpx

from tests.support.payloads import batch
from tests.support.server import server_process

POINT = {"timestamp": 1_705_100_000, "value": 12.0}


def environment(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "MODEL_STATE_FOLDER": str(tmp_path / "models"),
        "TRAINING_DATA_FOLDER": str(tmp_path / "data"),
    }


def board(tmp_path: Path) -> Path:
    return tmp_path / "models" / "+anomaly" / "series-changes"


def fitted(base_url: str, mean: float) -> int:
    response = httpx.post(f"{base_url}/fit/cpu", json=batch([mean - 1, mean, mean + 1]), timeout=10)
    assert response.status_code == 200, response.text
    version: int = response.json()["version"]
    return version


def predicted(base_url: str) -> tuple[int, float]:
    response = httpx.post(f"{base_url}/predict/cpu", json=POINT, timeout=10)
    assert response.status_code == 200, response.text
    answer = response.json()
    return answer["model_version"], answer["mean"]


def each_sees_what_the_other_acknowledged(one: str, other: str, rounds: int) -> None:
    """Each server predicts (so it holds the latest row in memory), the other fits, and the first
    must answer with that fit's version at once."""
    for reader, writer in [(one, other), (other, one)] * rounds:
        predicted(reader)
        mean = float(fitted(writer, 0.0) * 10)
        version = fitted(writer, mean)
        assert predicted(reader) == (version, mean)


def alive(*servers: subprocess.Popen[bytes]) -> bool:
    return all(server.poll() is None for server in servers)


def test_a_board_truncated_or_restored_from_a_copy_kills_no_server(sqlite_url: str, tmp_path: Path) -> None:
    env = environment(sqlite_url, tmp_path)
    with server_process(tmp_path, env) as (first, one), server_process(tmp_path, env) as (second, other):
        fitted(one, 10.0)
        each_sees_what_the_other_acknowledged(one, other, rounds=1)
        shutil.copyfile(board(tmp_path), tmp_path / "backup")

        os.truncate(board(tmp_path), 0)  # `truncate -s 0`: a server that maps it dies of SIGBUS
        each_sees_what_the_other_acknowledged(one, other, rounds=2)
        assert alive(first, second)

        shutil.copyfile(tmp_path / "backup", board(tmp_path))  # `cp backup board`: truncates, then writes
        each_sees_what_the_other_acknowledged(one, other, rounds=2)
        assert alive(first, second)
        assert board(tmp_path).stat().st_size == 65_536 * 8


def test_a_board_deleted_and_one_server_restarted_never_splits_them(sqlite_url: str, tmp_path: Path) -> None:
    env = environment(sqlite_url, tmp_path)
    with server_process(tmp_path, env) as (first, one):
        with server_process(tmp_path, env) as (_, other):
            fitted(one, 10.0)
            each_sees_what_the_other_acknowledged(one, other, rounds=1)
        board(tmp_path).unlink()
        # Restarted after the deletion, the second server makes a new board; the first had the old
        # one open, and must follow.
        with server_process(tmp_path, env) as (second, restarted):
            each_sees_what_the_other_acknowledged(one, restarted, rounds=5)
            assert alive(first, second)
