"""The version sequence as a state machine: fits, deletes and restarts on the production wiring.

Hypothesis drives random sequences of fits, single-version deletes, whole-series deletes and
restarts through HTTP on SQLite and real files, and after every step compares the service with a
tiny model: for each series, the versions stored (with the artifact files each fit wrote) and the
highest number ever handed out. A restart builds a brand-new app from the same settings, so only
the database file and the artifact folders carry state across it.

The machine itself is synchronous; one `asyncio.Runner` per machine keeps one event loop for all
its steps, and each machine gets its own temporary folder (pytest's `tmp_path` is per test, not
per example).
"""

import asyncio
import json
import tempfile
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from litestar import Litestar
from litestar.testing import AsyncTestClient

from anomaly.adapters.sql.migrations import upgrade
from anomaly.bootstrap import create_app
from anomaly.settings import Settings
from tests.conftest import file_settings
from tests.support.payloads import batch

T = TypeVar("T")
Client = AsyncTestClient[Litestar]

SERIES_IDS = ("cpu", "mem.used", "disk_io-2")
POINT = {"timestamp": 1_705_100_000, "value": 0.0}
# Deleted numbers stay spent, so anything above this is beyond what a run can allocate.
FAR_AWAY = 1000

series_ids: st.SearchStrategy[str] = st.sampled_from(SERIES_IDS)
training_values: st.SearchStrategy[list[float]] = st.lists(
    st.floats(allow_nan=False, allow_infinity=False), min_size=3, max_size=8
)


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """What the model knows of one stored version: what it was fitted on and the files its fit wrote."""

    values: list[float]
    model_file: Path
    data_file: Path


class VersionMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory(prefix="anomaly-versions-")
        self.root = Path(self.folder.name)
        self.runner = asyncio.Runner()
        self.client: Client | None = None
        try:
            url = f"sqlite+aiosqlite:///{self.root / 'anomaly.db'}"
            self.settings: Settings = file_settings(self.root, url)
            self.runner.run(upgrade(url))
            self.client = self.runner.run(self._open_client())
        except BaseException:
            self.runner.close()
            self.folder.cleanup()
            raise
        self.stored: dict[str, dict[int, StoredVersion]] = {series: {} for series in SERIES_IDS}
        self.highest: dict[str, int] = dict.fromkeys(SERIES_IDS, 0)

    # Plumbing -------------------------------------------------------------------------------------

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    async def _open_client(self) -> Client:
        client: Client = AsyncTestClient(app=create_app(self.settings))
        return await client.__aenter__()

    async def _close_client(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            await client.__aexit__(None, None, None)

    @property
    def http(self) -> Client:
        assert self.client is not None, "no client is open"
        return self.client

    def _artifact_files(self) -> set[Path]:
        return set(self.root.rglob("*.json"))

    def teardown(self) -> None:
        try:
            self._run(self._close_client())
        finally:
            try:
                self.runner.close()
            finally:
                self.folder.cleanup()

    # Rules ----------------------------------------------------------------------------------------

    @rule(series=series_ids, values=training_values)
    def fit(self, series: str, values: list[float]) -> None:
        before = self._artifact_files()
        body = batch(values)
        response = self._run(self.http.post(f"/fit/{series}", json=body))
        assert response.status_code == 200, response.text
        answer = response.json()
        expected = self.highest[series] + 1
        assert answer["version"] == expected, f"{series}: numbered {answer['version']}, not {expected}"
        assert answer["points_used"] == len(values)

        written = self._artifact_files() - before
        models = [path for path in written if path.parent == self.root / "models" / series]
        data = [path for path in written if path.parent == self.root / "data" / series]
        assert len(written) == 2, f"a fit should write two artifacts, wrote {sorted(map(str, written))}"
        assert len(models) == 1, f"no model artifact under models/{series}: {sorted(map(str, written))}"
        assert len(data) == 1, f"no training data under data/{series}: {sorted(map(str, written))}"
        assert models[0].name.endswith(".model.json")
        assert data[0].name.endswith(".data.json")
        assert json.loads(data[0].read_bytes()) == body

        self.highest[series] = expected
        self.stored[series][expected] = StoredVersion(list(values), models[0], data[0])

    @rule(series=series_ids, data=st.data())
    def delete_version(self, series: str, data: st.DataObject) -> None:
        stored = sorted(self.stored[series])
        spent = [number for number in range(1, self.highest[series] + 1) if number not in self.stored[series]]
        never = [self.highest[series] + 1, FAR_AWAY]
        version = data.draw(st.sampled_from(stored + spent + never), label="version")

        response = self._run(self.http.delete(f"/series/{series}/versions/{version}"))
        if version in self.stored[series]:
            assert response.status_code == 200, response.text
            assert response.json()["deleted_versions"] == [version]
            del self.stored[series][version]
        else:
            assert response.status_code == 404, response.text
            expected = "version_not_found" if self.stored[series] else "series_not_found"
            assert response.json()["error"] == expected, response.text

    @rule(series=series_ids)
    def delete_series(self, series: str) -> None:
        response = self._run(self.http.delete(f"/series/{series}"))
        if self.stored[series]:
            assert response.status_code == 200, response.text
            assert response.json()["deleted_versions"] == sorted(self.stored[series], reverse=True)
            self.stored[series].clear()
        else:
            assert response.status_code == 404, response.text
            assert response.json()["error"] == "series_not_found", response.text

    @rule()
    def restart(self) -> None:
        """Close the app (engine, pools, caches) and start a new one on the same database and folders."""
        self._run(self._close_client())
        self.client = self._run(self._open_client())

    # Invariants -----------------------------------------------------------------------------------

    @invariant()
    def versions_are_listed_newest_first(self) -> None:
        for series in SERIES_IDS:
            response = self._run(self.http.get(f"/series/{series}/versions", params={"limit": 1000}))
            expected = sorted(self.stored[series], reverse=True)
            if not expected:
                assert response.status_code == 404, f"{series}: {response.text}"
                assert response.json()["error"] == "series_not_found"
                continue
            assert response.status_code == 200, f"{series}: {response.text}"
            page = response.json()
            assert [item["version"] for item in page["items"]] == expected, f"{series}: {page}"
            assert page["total"] == len(expected)
            for item in page["items"]:
                assert item["points_used"] == len(self.stored[series][item["version"]].values)

    @invariant()
    def predict_uses_the_latest_stored_version(self) -> None:
        for series in SERIES_IDS:
            response = self._run(self.http.post(f"/predict/{series}", json=POINT))
            if not self.stored[series]:
                assert response.status_code == 404, f"{series}: {response.text}"
                assert response.json()["error"] == "series_not_found"
                continue
            latest = max(self.stored[series])
            assert response.status_code == 200, f"{series}: {response.text}"
            answer = response.json()
            assert answer["model_version"] == latest, f"{series}: predicted with {answer}, latest is {latest}"
            values = self.stored[series][latest].values
            assert min(values) <= answer["mean"] <= max(values), f"{series}: mean {answer['mean']}, {values}"

    @invariant()
    def every_stored_version_reads_back_from_its_artifact(self) -> None:
        for series in SERIES_IDS:
            for version, stored in self.stored[series].items():
                response = self._run(self.http.get(f"/series/{series}/versions/{version}"))
                assert response.status_code == 200, f"{series} v{version}: {response.text}"
                model = response.json()["model"]
                assert model["points_used"] == len(stored.values)
                assert model["minimum"] == min(stored.values)
                assert model["maximum"] == max(stored.values)

    @invariant()
    def series_totals_match(self) -> None:
        response = self._run(self.http.get("/series", params={"limit": 1000}))
        assert response.status_code == 200, response.text
        page = response.json()
        expected = [
            {"series_id": series, "latest_version": max(versions), "versions": len(versions)}
            for series, versions in sorted(self.stored.items())
            if versions
        ]
        assert page["total"] == len(expected), page
        assert page["items"] == expected, page

    @invariant()
    def artifacts_on_disk_are_exactly_the_stored_versions(self) -> None:
        expected = {
            path
            for versions in self.stored.values()
            for stored in versions.values()
            for path in (stored.model_file, stored.data_file)
        }
        for versions in self.stored.values():
            for stored in versions.values():
                assert stored.model_file.is_file(), f"missing {stored.model_file}"
                assert stored.data_file.is_file(), f"missing {stored.data_file}"
        on_disk = self._artifact_files()
        stored_count = sum(len(versions) for versions in self.stored.values())
        assert len(on_disk) == 2 * stored_count, sorted(map(str, on_disk))
        assert on_disk == expected, sorted(map(str, on_disk ^ expected))
        assert list(self.root.rglob(".tmp-*")) == [], "a temporary file was left behind"


TestVersionSequence = VersionMachine.TestCase
TestVersionSequence.settings = settings(
    max_examples=25,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
