"""Schemathesis against the OpenAPI document a running server serves: every default check, no failure."""

import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.payloads import batch
from tests.support.server import anomaly, running_server

CONFIG = Path(__file__).resolve().parents[1] / "schemathesis.toml"


def test_schemathesis_finds_no_failure_and_no_server_error(tmp_path: Path) -> None:
    assert anomaly("migrate", cwd=tmp_path, env={}).returncode == 0
    with running_server(tmp_path, {"GC_INTERVAL_SECONDS": "0"}) as base_url:
        # Series the document's examples name, so generated requests reach past "not found".
        for _ in range(2):
            assert httpx.post(f"{base_url}/fit/cpu", json=batch([10.0, 10.4, 9.7, 10.1])).status_code == 200
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "st"),
                "--config-file",
                str(CONFIG),
                "run",
                f"{base_url}/schema/openapi.json",
                "--no-color",
                "--seed",
                "20261126",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert " passed" in report
    assert "failed" not in report.split("SUMMARY")[-1], report
