"""The `anomaly` command as an operator uses it: migrate, serve, fit over real HTTP, stop."""

import concurrent.futures
from pathlib import Path

import httpx
import pytest

from tests.support.payloads import SMALL
from tests.support.server import anomaly, running_server


def test_migrate_then_serve_on_the_embedded_default(tmp_path: Path) -> None:
    migrated = anomaly("migrate", cwd=tmp_path, env={})
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "data" / "anomaly.db").is_file()
    with running_server(tmp_path, env={}) as base_url:
        response = httpx.post(f"{base_url}/fit/cpu", json=SMALL, timeout=10)
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert len(list((tmp_path / "data" / "models" / "cpu").glob("*.model.json"))) == 1
    assert len(list((tmp_path / "data" / "data" / "cpu").glob("*.data.json"))) == 1


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    for _ in range(2):
        result = anomaly("migrate", cwd=tmp_path, env={})
        assert result.returncode == 0, result.stderr


def test_a_bad_setting_stops_start_up_naming_it(tmp_path: Path) -> None:
    for name, value in [
        ("MIN_TRAINING_DATA_POINTS", "three"),
        ("MAX_TRAINING_DATA_POINTS", "0"),
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("DATABASE_TIMEOUT_SECONDS", "nan"),
    ]:
        result = anomaly("serve", cwd=tmp_path, env={name: value})
        assert result.returncode == 2
        assert name in result.stderr


def test_a_port_out_of_range_is_refused(tmp_path: Path) -> None:
    result = anomaly("serve", "--port", "70000", cwd=tmp_path, env={})
    assert result.returncode == 2
    assert "--port" in result.stderr


@pytest.mark.parametrize("grace", ["nan", "-5", "-1e-9", "inf", "1e300", "five"])
def test_a_gc_grace_that_is_no_safe_duration_is_refused_saying_so(tmp_path: Path, grace: str) -> None:
    assert anomaly("migrate", cwd=tmp_path, env={}).returncode == 0
    orphan = tmp_path / "data" / "models" / "cpu" / "00000000000000000001-deadbeef.model.json"
    orphan.parent.mkdir(parents=True)
    orphan.write_text("{}")

    result = anomaly("gc", f"--grace-seconds={grace}", cwd=tmp_path, env={})

    assert result.returncode == 2, result.stderr
    assert "--grace-seconds" in result.stderr
    assert "from 0" in result.stderr or "number of seconds" in result.stderr
    assert "Traceback" not in result.stderr
    assert orphan.exists()  # a negative grace was read as 0, which removes a running fit's files


def test_a_gc_grace_of_zero_is_taken_when_asked_for(tmp_path: Path) -> None:
    assert anomaly("migrate", cwd=tmp_path, env={}).returncode == 0
    # A first sweep of the empty folders makes them this database's.
    assert anomaly("gc", cwd=tmp_path, env={}).returncode == 0
    orphan = tmp_path / "data" / "models" / "cpu" / "00000000000000000001-deadbeef.model.json"
    orphan.parent.mkdir(parents=True)
    orphan.write_text("{}")

    result = anomaly("gc", "--grace-seconds", "0", cwd=tmp_path, env={})

    assert result.returncode == 0, result.stderr
    assert not orphan.exists()


def test_fits_through_two_servers_on_one_database_never_collide(sql_url: str, tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": sql_url,
        "MODEL_STATE_FOLDER": str(tmp_path / "models"),
        "TRAINING_DATA_FOLDER": str(tmp_path / "data"),
    }
    with running_server(tmp_path, env) as first, running_server(tmp_path, env) as second:
        urls = [first, second] * 30
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            responses = list(
                pool.map(lambda url: httpx.post(f"{url}/fit/shared", json=SMALL, timeout=30), urls)
            )
    assert [response.status_code for response in responses] == [200] * 60
    assert sorted(response.json()["version"] for response in responses) == list(range(1, 61))
    assert len(list((tmp_path / "models" / "shared").iterdir())) == 60
