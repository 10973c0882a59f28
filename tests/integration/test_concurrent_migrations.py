"""Replicas that start together each run `anomaly migrate` on the same fresh database: every one
succeeds, and the schema ends at the head revision, on SQLite and PostgreSQL."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from anomaly.adapters.sql.engine import create_engine
from anomaly.adapters.sql.migrations import head_revisions

PROCESSES = 6

# `anomaly migrate` in a process that has made its imports and waits for a signal (a file), so
# that every process starts migrating within a millisecond of the others, as nothing else can
# promise on a machine shared with other work.
MIGRATE_ON_SIGNAL = """
import os, sys, time
from anomaly.cli import main
open(sys.argv[1] + "." + str(os.getpid()), "w").close()
while not os.path.exists(sys.argv[1]):
    time.sleep(0.001)
sys.exit(main(["migrate"]))
"""


def migrate_together(url: str, folder: Path) -> list[subprocess.CompletedProcess[str]]:
    signal = folder / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_ON_SIGNAL, str(signal)],
            cwd=folder,
            env={**os.environ, "DATABASE_URL": url},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    deadline = time.monotonic() + 60
    while len(list(folder.glob("go.*"))) < PROCESSES:
        assert time.monotonic() < deadline, "the migrations did not start"
        assert all(process.poll() is None for process in processes)
        time.sleep(0.01)
    signal.touch()
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    return results


async def revisions(url: str) -> set[str]:
    engine = create_engine(url, pool_size=1, timeout_seconds=10)
    try:
        async with engine.connect() as connection:
            return set(
                (await connection.execute(sa.text("SELECT version_num FROM alembic_version"))).scalars()
            )
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'anomaly.db'}"
    url: str = request.getfixturevalue("empty_postgres")
    return url


async def test_migrations_started_together_all_succeed(fresh_url: str, tmp_path: Path) -> None:
    results = migrate_together(fresh_url, tmp_path)
    assert [result.returncode for result in results] == [0] * PROCESSES, [r.stderr for r in results]
    assert await revisions(fresh_url) == head_revisions()
