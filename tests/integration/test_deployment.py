"""What compose.yaml and the Dockerfile rely on, checked without a Docker engine."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from anomaly.cli import build_parser
from anomaly.settings import Settings, normalise_database_url
from tests.support.server import anomaly

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return document


def test_compose_runs_migrations_once_before_the_api() -> None:
    services = compose()["services"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["api"]["ports"] == ["8000:8000"]


def test_compose_commands_and_settings_are_ones_the_service_accepts() -> None:
    services = compose()["services"]
    for name in ("migrate", "api"):
        build_parser().parse_args(services[name]["command"])
        Settings.from_env(services[name]["environment"])  # every variable set there is one we accept
        url = services[name]["environment"]["DATABASE_URL"]
        assert normalise_database_url(url).startswith("postgresql+asyncpg://")
        assert "@db:5432/" in url


def test_a_regular_install_carries_its_migrations(tmp_path: Path) -> None:
    # The image installs a wheel, not the checkout: `anomaly migrate` must work from it, anywhere.
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            wheels,
            ROOT,
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = wheels.glob("anomaly-*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target, wheel],
        check=True,
        capture_output=True,
    )
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    result = anomaly("migrate", cwd=workdir, env={"PYTHONPATH": str(target), "PYTHONSAFEPATH": "1"})
    assert result.returncode == 0, result.stderr
    assert (workdir / "data" / "anomaly.db").is_file()
    probe = subprocess.run(
        [sys.executable, "-c", "import anomaly; print(anomaly.__file__)"],
        cwd=workdir,
        env={"PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.startswith(str(target))
