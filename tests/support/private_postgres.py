"""A PostgreSQL server of a test's own, made with the machine's initdb, that it may stop and restart
at will without disturbing anyone else's database (the shared server at 127.0.0.1:5432 is never
touched)."""

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tests.support.server import free_port


class PrivatePostgres:
    def __init__(self, binaries: Path, folder: Path, port: int) -> None:
        self._binaries = binaries
        self.folder = folder
        self.port = port
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"

    def initialise(self) -> None:
        self._run("initdb", "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        self._ctl("start", "-w")

    def stop(self, mode: str = "fast", wait: bool = True) -> None:
        """`smart` waits for every session to end, refusing new ones meanwhile; `fast` ends them."""
        self._ctl("stop", "-m", mode, "-w" if wait else "-W")

    def wait_until_stopped(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while (self.folder / "data" / "postmaster.pid").exists():
            assert time.monotonic() < deadline, "PostgreSQL did not stop"
            time.sleep(0.05)

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast", "-w")

    def remove(self) -> None:
        with suppress(subprocess.CalledProcessError):  # not running
            self._ctl("stop", "-m", "immediate", "-w")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _ctl(self, *arguments: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.folder / "data"),
            "-l",
            str(self.folder / "log"),
            "-o",
            options,
            *arguments,
        )

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self._binaries / program), *arguments]
        # PostgreSQL refuses to run as root: as root, run it as the machine's postgres user.
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # Its output goes to the log file: a server started with our pipes would hold them open.
        subprocess.run(command, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=60)


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or [shutil.which("initdb") or ""]
    return Path(found[-1]).parent if found[-1] else None


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A fresh cluster on a free port, started; stopped and removed afterwards. Skips (fails under
    CI=true) where PostgreSQL's server programs are not installed."""
    binaries = _binaries()
    if binaries is None:
        reason = "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; under CI=true the restart tests must run", pytrace=False)
        pytest.skip(reason)
    # Not under pytest's tmp_path: the server's user must be able to reach its folder.
    folder = Path(tempfile.mkdtemp(prefix="anomaly-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    server = PrivatePostgres(binaries, folder, free_port())
    try:
        server.initialise()
        server.start()
        yield server
    finally:
        server.remove()
