"""Retention as an operator runs it: `anomaly gc` deletes the versions past it, rows and files."""

from pathlib import Path

import httpx

from tests.support.payloads import batch
from tests.support.server import anomaly, running_server
from tests.support.stored import artifact_files, stored_file, stored_versions


async def test_anomaly_gc_deletes_versions_past_retention_and_numbering_goes_on(
    sqlite_url: str, tmp_path: Path
) -> None:
    env = {
        "DATABASE_URL": sqlite_url,
        "MODEL_STATE_FOLDER": str(tmp_path / "models"),
        "TRAINING_DATA_FOLDER": str(tmp_path / "data"),
        "RETAIN_VERSIONS": "2",
    }
    with running_server(tmp_path, env) as base_url:
        for value in range(4):
            fitted = httpx.post(f"{base_url}/fit/cpu", json=batch([1.0, 2.0, float(value)]), timeout=10)
            assert fitted.status_code == 200

    dry = anomaly("gc", "--dry-run", cwd=tmp_path, env=env)
    assert "would remove version 2 of 'cpu', past retention" in dry.stdout, dry.stdout + dry.stderr
    assert len(await stored_versions(sqlite_url, "cpu")) == 4

    collected = anomaly("gc", cwd=tmp_path, env=env)
    assert collected.returncode == 0, collected.stderr
    assert "removed version 1 of 'cpu', past retention" in collected.stdout
    kept = await stored_versions(sqlite_url, "cpu")
    assert [version.version for version in kept] == [4, 3]
    assert sorted(artifact_files(tmp_path)) == sorted(
        stored_file(tmp_path, ref.location) for version in kept for ref in (version.model, version.data)
    )
    with running_server(tmp_path, env) as base_url:
        again = httpx.post(f"{base_url}/fit/cpu", json=batch([1.0, 2.0, 3.0]), timeout=10)
    assert again.json()["version"] == 5
