"""Two databases, one set of artifact folders: the second is refused, and sweeps nothing of the first's.

The case this guards: the service ran on PostgreSQL (or another SQLite file) with the default
folders, and is started once without DATABASE_URL, on the leftover ./data/anomaly.db.
"""

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.payloads import SMALL
from tests.support.server import anomaly, free_port, running_server
from tests.support.stored import artifact_files


def test_a_leftover_database_on_the_same_folders_is_refused_and_sweeps_nothing(
    sql_url: str, tmp_path: Path
) -> None:
    production = {"DATABASE_URL": sql_url, "GC_INTERVAL_SECONDS": "0"}
    with running_server(tmp_path, production) as base_url:
        assert httpx.post(f"{base_url}/fit/cpu", json=SMALL, timeout=10).status_code == 200
    artifacts = artifact_files(tmp_path / "data")
    assert len(artifacts) == 2

    # DATABASE_URL forgotten: the default SQLite file, migrated, on the same default folders.
    leftover = {"DATABASE_URL": "", "GC_INTERVAL_SECONDS": "1"}
    assert anomaly("migrate", cwd=tmp_path, env=leftover).returncode == 0
    try:
        started = anomaly("serve", "--port", str(free_port()), cwd=tmp_path, env=leftover, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("the service started on a database the artifact folders do not belong to")
    assert started.returncode != 0
    said = started.stdout + started.stderr
    assert "refusing to start" in said
    assert sql_url.rsplit("/", 1)[1] in said  # the database the folders belong to
    assert str(tmp_path / "data" / "anomaly.db") in said  # and the one it was started with

    swept = anomaly("gc", "--grace-seconds", "0", cwd=tmp_path, env=leftover)
    assert swept.returncode == 1
    assert "belongs to the database" in swept.stderr
    assert artifact_files(tmp_path / "data") == artifacts

    with running_server(tmp_path, production) as base_url:
        predicted = httpx.post(f"{base_url}/predict/cpu", json={"timestamp": 1, "value": 10.0}, timeout=10)
    assert predicted.status_code == 200, predicted.text
