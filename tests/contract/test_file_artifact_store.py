"""What only the filesystem store promises: the folder layout, atomic files, and clear failures."""

import hashlib
import os
from pathlib import Path

import pytest

from anomaly.adapters.files.artifact_store import FileArtifactStore
from anomaly.adapters.files.atomic_write import TEMPORARY_PREFIX
from anomaly.domain.model_version import ArtifactRef
from anomaly.domain.series_id import SeriesId
from anomaly.ports.errors import ArtifactStorageUnavailable, ArtifactUnreadable

CPU = SeriesId("cpu")


async def test_artifacts_live_in_one_folder_per_kind_and_series(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "models", tmp_path / "data")
    model = Path((await store.save_model(CPU, b"{}")).location)
    data = Path((await store.save_training_data(CPU, b"{}")).location)
    assert model.parent == (tmp_path / "models" / "cpu").resolve()
    assert data.parent == (tmp_path / "data" / "cpu").resolve()
    assert model.name.endswith(".model.json")
    assert data.name.endswith(".data.json")


async def test_no_temporary_file_is_left_behind(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "models", tmp_path / "data")
    for _ in range(5):
        await store.save_model(CPU, b"{}")
    names = os.listdir(tmp_path / "models" / "cpu")
    assert len(names) == 5
    assert not [name for name in names if name.startswith(TEMPORARY_PREFIX)]


async def test_an_unwritable_folder_fails_clearly_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "models"
    blocker.write_text("a file where the model folder should be")
    store = FileArtifactStore(blocker, tmp_path / "data")
    with pytest.raises(ArtifactStorageUnavailable, match="cannot write"):
        await store.save_model(CPU, b"{}")
    assert blocker.read_text() == "a file where the model folder should be"


async def test_a_truncated_file_is_refused(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "models", tmp_path / "data")
    ref = await store.save_model(CPU, b'{"mean": 1.5, "std": 2.0}')
    Path(ref.location).write_bytes(b'{"mean": 1.5')
    with pytest.raises(ArtifactUnreadable, match="checksum"):
        await store.load(ref)


async def test_paths_outside_the_artifact_folders_are_never_touched(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "models", tmp_path / "data")
    outsider = tmp_path / "outside.json"
    outsider.write_bytes(b"{}")
    ref = ArtifactRef(location=str(tmp_path / "models" / ".." / "outside.json"), sha256="0" * 64, size=2)
    with pytest.raises(ArtifactUnreadable, match="outside"):
        await store.delete(ref)
    assert outsider.exists()


async def test_a_large_artifact_written_a_slice_at_a_time_reads_back_whole(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "models", tmp_path / "data")
    content = bytearray(os.urandom(9 * 1024 * 1024 + 3))  # three slices, the last 3 bytes long
    ref = await store.save_training_data(SeriesId("cpu"), content)
    assert ref.sha256 == hashlib.sha256(content).hexdigest()
    assert ref.size == len(content)
    assert await store.load(ref) == content
