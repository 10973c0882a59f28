"""What `anomaly serve --workers 2` (the production setting) writes: every worker logs from INFO up,
each line with its time, level, process and logger."""

import os
import re
import signal
import time
from pathlib import Path

import httpx

from tests.support.payloads import SMALL
from tests.support.server import anomaly, server_process

# 2026-11-29 09:40:01,123 INFO [4242] anomaly.adapters.http.draining: SIGTERM: ...
LINE = re.compile(
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) \[(?P<pid>\d+)\] (?P<logger>[\w.]+): .*"
)


def test_every_worker_logs_info_and_warnings_with_time_level_process_and_logger(tmp_path: Path) -> None:
    env = {"GC_INTERVAL_SECONDS": "0.5", "SHUTDOWN_DRAIN_SECONDS": "0.5"}
    assert anomaly("migrate", cwd=tmp_path, env=env).returncode == 0
    with server_process(tmp_path, env, workers=2) as (process, base_url):
        [log] = tmp_path.glob("server-*.log")
        assert httpx.post(f"{base_url}/fit/cpu", json=SMALL).status_code == 200
        # An artifact a crash left two hours ago, in the folders this database now owns: a sweep
        # removes it, and says so at INFO.
        orphan = tmp_path / "data" / "models" / "cpu" / "00000000000000000001-deadbeef.model.json"
        orphan.write_bytes(b"{}")
        os.utime(orphan, (time.time() - 7200, time.time() - 7200))
        deadline = time.monotonic() + 30
        # Both workers started (the first may serve while the second still starts), the orphan swept.
        while time.monotonic() < deadline and (
            orphan.exists() or log.read_text().count("Application startup complete") < 2
        ):
            time.sleep(0.1)
        assert not orphan.exists()
        assert log.read_text().count("Application startup complete") == 2
        # Each worker hears it, says it is draining (INFO), and the server stops.
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    lines = log.read_text().splitlines()
    parsed = [LINE.fullmatch(line) for line in lines]
    assert all(parsed), [line for line, match in zip(lines, parsed, strict=True) if match is None]
    found = [
        (match["level"], match["pid"], match["logger"], line)
        for match, line in zip(parsed, lines, strict=True)
        if match
    ]

    def pids(level: str, logger: str, words: str) -> set[str]:
        return {pid for at, pid, name, line in found if (at, name) == (level, logger) and words in line}

    # Written in each worker: its start-up warning, and its drain at INFO.
    open_warnings = pids("WARNING", "anomaly.bootstrap", "ANOMALY_API_KEYS is not set")
    drains = pids("INFO", "anomaly.adapters.http.draining", "SIGTERM: not ready any more")
    assert len(open_warnings) == 2
    assert drains == open_warnings
    # The sweep's report comes from whichever worker found the orphan.
    assert pids("INFO", "anomaly.use_cases.collect_garbage", "garbage collected: 0 versions") <= drains
    assert len(pids("INFO", "anomaly.use_cases.collect_garbage", "1 orphaned")) == 1
