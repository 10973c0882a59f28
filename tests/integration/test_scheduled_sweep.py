"""The service sweeps what crashes leave in the artifact folders by itself, on a schedule."""

import asyncio
import os
import time
from dataclasses import replace
from pathlib import Path

from litestar.testing import AsyncTestClient

from anomaly.bootstrap import create_app
from tests.conftest import file_settings
from tests.support.payloads import SMALL


async def test_the_service_removes_old_orphans_and_keeps_what_versions_use(
    sqlite_url: str, tmp_path: Path
) -> None:
    settings = replace(file_settings(tmp_path, sqlite_url), gc_interval_seconds=0.2, gc_grace_seconds=60)
    orphan = tmp_path / "models" / "cpu" / "00000000000000000001-deadbeef.model.json"
    temporary = tmp_path / "data" / "cpu" / ".tmp-00000000000000000002-deadbeef.data.json.0000beef"
    recent = tmp_path / "models" / "cpu" / "99999999999999999999-c0ffee00.model.json"

    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.post("/fit/cpu", json=SMALL)).status_code == 200
        # What crashes left behind, since (the store was empty when the service first started).
        for path in (orphan, temporary, recent):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"{}")
        two_hours_ago = time.time() - 7200
        for path in (orphan, temporary):
            os.utime(path, (two_hours_ago, two_hours_ago))
        for _ in range(50):
            if not orphan.exists() and not temporary.exists():
                break
            await asyncio.sleep(0.1)
        assert (await client.post("/predict/cpu", json={"timestamp": 1, "value": 1.0})).status_code == 200

    assert not orphan.exists()
    assert not temporary.exists()
    assert recent.exists()
    assert len(list((tmp_path / "models" / "cpu").glob("*.model.json"))) == 2
