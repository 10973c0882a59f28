"""CollectGarbage: what a crash or a failed commit leaves behind goes; what a version uses stays."""

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from anomaly.adapters.files.artifact_store import FileArtifactStore
from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.adapters.memory.clock import FixedClock
from anomaly.domain.idempotency import IdempotencyRecord
from anomaly.domain.retention import Retention
from anomaly.domain.series_id import SeriesId
from anomaly.ports.errors import ArtifactStoreOfAnotherDatabase
from anomaly.use_cases.collect_garbage import CollectGarbage
from anomaly.use_cases.fit_model import FitCommand
from tests.support.fakes import Fakes

GRACE = timedelta(hours=1)
CPU = SeriesId("cpu")


def command() -> FitCommand:
    return FitCommand("cpu", b'{"timestamps":[1,2,3],"values":[1,2,3]}')


def collector(fakes: Fakes) -> CollectGarbage:
    return fakes.collector()


async def test_orphans_older_than_the_grace_period_go_and_referenced_files_stay() -> None:
    clock = FixedClock()
    artifacts = InMemoryArtifactStore(clock)
    fakes = Fakes(artifacts=artifacts, clock=clock)
    await fakes.fit_model()(command())
    orphan = artifacts.save("models", CPU, b"{}")  # a fit that died before its commit
    clock.current += GRACE + timedelta(seconds=1)
    young = artifacts.save("models", CPU, b"{}")  # a fit that may still be committing
    collect = collector(fakes)

    dry = await collect(GRACE, dry_run=True)
    assert dry.orphans == [orphan.location]
    assert orphan.location in artifacts.files

    report = await collect(GRACE)
    assert report.orphans == [orphan.location]
    assert report.kept_young == 1
    assert orphan.location not in artifacts.files
    assert young.location in artifacts.files
    assert len(artifacts.files) == 3  # the version's two artifacts and the young file


async def test_expired_idempotency_keys_are_forgotten() -> None:
    fakes = Fakes()
    for key, age in [("old", timedelta(hours=25)), ("new", timedelta(hours=1))]:
        record = IdempotencyRecord.claim("anonymous", key, "f" * 64, fakes.clock.now() - age)
        fakes.database.idempotency[("anonymous", key)] = record.completed(b"{}")
    report = await collector(fakes)(GRACE)
    assert report.expired_keys == 1
    assert list(fakes.database.idempotency) == [("anonymous", "new")]


async def test_on_disk_temporary_and_unreferenced_files_go_and_nothing_else_is_touched(
    tmp_path: Path,
) -> None:
    fakes = Fakes(artifacts=FileArtifactStore(tmp_path / "models", tmp_path / "data"))
    await fakes.fit_model()(command())
    series_folder = tmp_path / "models" / "cpu"
    leftovers = [
        series_folder / ".tmp-00000000000000000123-0badf00d.model.json.abcd1234",
        series_folder / "00000000000000000999-deadbeef.model.json",
    ]
    strangers = [
        tmp_path / "models" / "README",
        tmp_path / "models" / "not a series" / "x.json",
        series_folder / "notes.json",  # not a name this service gives: never touched
    ]
    for path in leftovers + strangers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"{}")
    an_hour_ago = time.time() - 3700
    for path in [*leftovers, *series_folder.iterdir()]:
        os.utime(path, (an_hour_ago, an_hour_ago))

    fakes.clock = FixedClock(datetime.now(UTC))
    report = await collector(fakes)(GRACE)

    assert sorted(report.temporaries + report.orphans) == sorted(f"cpu/{path.name}" for path in leftovers)
    assert not any(path.exists() for path in leftovers)
    assert all(path.exists() for path in strangers)
    assert len(list(series_folder.glob("*.model.json"))) == 1
    assert len(list((tmp_path / "data" / "cpu").iterdir())) == 1


async def test_artifacts_are_recognised_by_name_when_their_folder_has_moved(tmp_path: Path) -> None:
    fakes = Fakes(artifacts=FileArtifactStore(tmp_path / "old" / "models", tmp_path / "old" / "data"))
    await fakes.fit_model()(command())
    (tmp_path / "old").rename(tmp_path / "new")  # the volume is now mounted elsewhere
    fakes.artifacts = FileArtifactStore(tmp_path / "new" / "models", tmp_path / "new" / "data")
    an_hour_ago = time.time() - 3700
    for path in (tmp_path / "new").rglob("*.json"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    fakes.clock = FixedClock(datetime.now(UTC))
    report = await collector(fakes)(GRACE)
    assert report.orphans == []
    assert len(list((tmp_path / "new").rglob("*.json"))) == 2


async def test_versions_past_retention_go_with_their_files_and_their_numbers_never_return() -> None:
    store = InMemoryArtifactStore()
    fakes = Fakes(artifacts=store)
    for _ in range(5):
        await fakes.fit_model()(command())
    await fakes.fit_model()(FitCommand("disk", command().batch))
    stamp = fakes.changes.stamp(CPU)
    collect = fakes.collector(Retention(keep_newest=2))

    dry = await collect(GRACE, dry_run=True)
    assert [(v.series_id.value, v.version) for v in dry.retired] == [("cpu", 3), ("cpu", 2), ("cpu", 1)]
    assert len(fakes.database.rows) == 6

    report = await collect(GRACE)
    assert [(v.series_id.value, v.version) for v in report.retired] == [("cpu", 3), ("cpu", 2), ("cpu", 1)]
    assert sorted(fakes.database.rows) == [("cpu", 4), ("cpu", 5), ("disk", 1)]
    kept = [ref.location for row in fakes.database.rows.values() for ref in (row.model, row.data)]
    assert sorted(store.files) == sorted(kept)
    assert fakes.changes.stamp(CPU) != stamp  # cached lookups see the deletes
    assert (await fakes.fit_model()(command())).version == 6


async def test_retention_walks_every_page_of_series(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("anomaly.use_cases.collect_garbage.SERIES_PAGE", 2)
    fakes = Fakes()
    for name in ("a", "b", "c", "d", "e"):
        for _ in range(2):
            await fakes.fit_model()(FitCommand(name, command().batch))
    collect = fakes.collector(Retention(keep_newest=1))
    report = await collect(GRACE)
    assert sorted(v.series_id.value for v in report.retired) == ["a", "b", "c", "d", "e"]


async def test_nothing_is_swept_from_a_store_that_belongs_to_another_database() -> None:
    clock = FixedClock()
    store = InMemoryArtifactStore(clock)
    first = Fakes(artifacts=store, clock=clock)
    await first.fit_model()(command())
    await first.collector()(GRACE)  # the first database to sweep the store pairs them
    # Another database pointed at the same store: every artifact of the first is unreferenced there.
    other = Fakes(artifacts=store, clock=clock)
    clock.current += 2 * GRACE
    for dry_run in (True, False):
        with pytest.raises(ArtifactStoreOfAnotherDatabase) as refused:
            await other.collector(Retention(keep_newest=1))(GRACE, dry_run=dry_run)
        assert first.database.identity.id in str(refused.value)
        assert other.database.identity.id in str(refused.value)
    assert len(store.files) == 2
    assert (await first.collector()(GRACE)).orphans == []
