"""What only the filesystem store promises: the folder layout, atomic files, and clear failures."""

import asyncio
import hashlib
import os
import threading
from pathlib import Path

import pytest

from anomaly.adapters.files import atomic_write
from anomaly.adapters.files.artifact_store import FileArtifactStore
from anomaly.adapters.files.atomic_write import TEMPORARY_PREFIX
from anomaly.adapters.files.staged_fit import WRITE_AT_ONCE_FROM
from anomaly.domain.model_version import ArtifactRef
from anomaly.domain.series_id import SeriesId
from anomaly.ports.errors import ArtifactStorageUnavailable, ArtifactUnreadable
from tests.support.versions import described, make_model

CPU = SeriesId("cpu")
MODEL = make_model()


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


async def test_artifacts_live_in_one_folder_per_kind_and_series_and_are_known_by_keys(
    tmp_path: Path,
) -> None:
    store = FileArtifactStore(tmp_path / "models", tmp_path / "data")
    model_ref, data_ref = await store.stage(CPU, b"{}").keep(MODEL)
    # Keys, relative to the store: the folders may move without a version row changing.
    assert (model_ref.location[:4], model_ref.location[-11:]) == ("cpu/", ".model.json")
    assert (data_ref.location[:4], data_ref.location[-10:]) == ("cpu/", ".data.json")
    assert (tmp_path / "models" / model_ref.location).is_file()
    assert (tmp_path / "data" / data_ref.location).is_file()
    assert files_under(tmp_path) == sorted(
        [tmp_path / "models" / model_ref.location, tmp_path / "data" / data_ref.location]
    )


async def test_a_store_moved_elsewhere_reads_its_artifacts_by_the_same_keys(tmp_path: Path) -> None:
    model_ref, data_ref = (
        await FileArtifactStore(tmp_path / "a" / "models", tmp_path / "a" / "data")
        .stage(CPU, b"[1]")
        .keep(MODEL)
    )
    (tmp_path / "a").rename(tmp_path / "b")
    moved = FileArtifactStore(tmp_path / "b" / "models", tmp_path / "b" / "data")
    assert described(await moved.load_model(model_ref)) == described(MODEL)
    assert await moved.load(data_ref) == b"[1]"
    assert sorted(stored.location for stored in await moved.inventory()) == sorted(
        [model_ref.location, data_ref.location]
    )


async def test_one_folder_for_both_kinds_lists_each_file_once(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "artifacts", tmp_path / "artifacts")
    model_ref, data_ref = await store.stage(CPU, b"[1]").keep(MODEL)
    assert sorted(stored.location for stored in await store.inventory()) == sorted(
        [model_ref.location, data_ref.location]
    )
    assert await store.load(data_ref) == b"[1]"


async def test_no_temporary_file_is_left_behind(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "models", tmp_path / "data")
    for _ in range(5):
        await store.stage(CPU, b"{}").keep(MODEL)
    names = os.listdir(tmp_path / "models" / "cpu")
    assert len(names) == 5
    assert not [name for name in names if name.startswith(TEMPORARY_PREFIX)]


async def test_an_unwritable_folder_fails_clearly_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "models"
    blocker.write_text("a file where the model folder should be")
    store = FileArtifactStore(blocker, tmp_path / "data")
    for batch in (b"{}", b" " * WRITE_AT_ONCE_FROM):  # written with the model, and written first
        staged = store.stage(CPU, batch)
        with pytest.raises(ArtifactStorageUnavailable, match="cannot write"):
            await staged.keep(MODEL)
        assert blocker.read_text() == "a file where the model folder should be"
        assert files_under(tmp_path / "data") == []


async def test_a_truncated_file_is_refused(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "models", tmp_path / "data")
    ref, _ = await store.stage(CPU, b"{}").keep(MODEL)
    path = tmp_path / "models" / ref.location
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(ArtifactUnreadable, match="checksum"):
        await store.load(ref)


@pytest.mark.parametrize(
    "location",
    [
        "{tmp}/models/cpu/00000000000000000001-deadbeef.model.json",  # a path, as rows once held
        "../00000000000000000001-deadbeef.model.json",
        "cpu/../../00000000000000000001-deadbeef.model.json",
        "cpu/outside.json",
    ],
)
async def test_only_keys_of_artifacts_in_the_folders_are_ever_touched(tmp_path: Path, location: str) -> None:
    store = FileArtifactStore(tmp_path / "models", tmp_path / "data")
    for outsider in (
        tmp_path / "00000000000000000001-deadbeef.model.json",
        tmp_path / "models" / "cpu" / "00000000000000000001-deadbeef.model.json",
        tmp_path / "models" / "cpu" / "outside.json",
    ):
        outsider.parent.mkdir(parents=True, exist_ok=True)
        outsider.write_bytes(b"{}")
    ref = ArtifactRef(location=location.format(tmp=tmp_path), sha256="0" * 64, size=2)
    with pytest.raises(ArtifactUnreadable, match="not the key of an artifact"):
        await store.delete(ref)
    with pytest.raises(ArtifactUnreadable, match="not the key of an artifact"):
        await store.load(ref)
    assert len(files_under(tmp_path)) == 3


async def test_a_large_artifact_written_a_slice_at_a_time_reads_back_whole(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "models", tmp_path / "data")
    content = bytearray(os.urandom(9 * 1024 * 1024 + 3))  # three slices, the last 3 bytes long
    _, ref = await store.stage(CPU, content).keep(MODEL)
    assert ref.sha256 == hashlib.sha256(content).hexdigest()
    assert ref.size == len(content)
    assert await store.load(ref) == content


async def test_a_large_batch_is_written_as_soon_as_it_is_staged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the caller still reads the batch: the write must not wait for `keep`."""
    written = threading.Event()
    write = atomic_write.write_atomically

    def signalling_write(path: Path, content: bytes | bytearray) -> str:
        digest = write(path, content)
        written.set()
        return digest

    monkeypatch.setattr(atomic_write, "write_atomically", signalling_write)
    store = FileArtifactStore(tmp_path / "models", tmp_path / "data")
    content = b" " * WRITE_AT_ONCE_FROM
    staged = store.stage(CPU, content)
    assert await asyncio.to_thread(written.wait, 10)  # before any keep
    _, data = await staged.keep(MODEL)
    assert await store.load(data) == content
    small = store.stage(CPU, b" " * (WRITE_AT_ONCE_FROM - 1))
    await asyncio.sleep(0.05)
    assert len(files_under(tmp_path / "data")) == 1  # a small batch waits for its model
    await small.discard()


async def test_a_fit_cancelled_while_writing_leaves_nothing_once_discarded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    write = atomic_write.write_atomically

    def slow_write(path: Path, content: bytes | bytearray) -> str:
        entered.set()
        release.wait(10)
        return write(path, content)

    monkeypatch.setattr(atomic_write, "write_atomically", slow_write)
    store = FileArtifactStore(tmp_path / "models", tmp_path / "data")
    staged = store.stage(CPU, b"[1]")
    keeping = asyncio.ensure_future(staged.keep(MODEL))
    assert await asyncio.to_thread(entered.wait, 10)
    keeping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await keeping
    release.set()
    await staged.discard()  # waits for the writes still running on their thread
    assert files_under(tmp_path) == []
