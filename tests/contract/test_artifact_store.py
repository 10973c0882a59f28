"""One contract for every artifact store: in-memory and filesystem must behave the same."""

import hashlib
from pathlib import Path

import pytest

from anomaly.adapters.files.artifact_store import FileArtifactStore
from anomaly.adapters.memory import InMemoryArtifactStore
from anomaly.domain.model_version import ArtifactRef
from anomaly.domain.series_id import SeriesId
from anomaly.ports.artifact_store import ArtifactStore
from anomaly.ports.errors import ArtifactUnreadable

CPU = SeriesId("cpu")


@pytest.fixture(params=["memory", "files"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    if request.param == "memory":
        return InMemoryArtifactStore()
    return FileArtifactStore(tmp_path / "models", tmp_path / "data")


async def test_a_saved_artifact_loads_back_with_its_checksum(store: ArtifactStore) -> None:
    content = b'{"mean": 1.5}'
    ref = await store.save_model(CPU, content)
    assert ref.sha256 == hashlib.sha256(content).hexdigest()
    assert ref.size == len(content)
    assert await store.load(ref) == content


async def test_every_save_gets_its_own_location(store: ArtifactStore) -> None:
    first = await store.save_training_data(CPU, b"[1]")
    second = await store.save_training_data(CPU, b"[1]")
    model = await store.save_model(CPU, b"[1]")
    assert len({first.location, second.location, model.location}) == 3
    assert await store.load(first) == await store.load(second) == b"[1]"


async def test_a_deleted_artifact_is_gone_and_deleting_again_is_harmless(store: ArtifactStore) -> None:
    ref = await store.save_model(CPU, b"{}")
    await store.delete(ref)
    await store.delete(ref)
    with pytest.raises(ArtifactUnreadable, match="missing"):
        await store.load(ref)


async def test_a_checksum_that_does_not_match_is_refused(store: ArtifactStore) -> None:
    ref = await store.save_model(CPU, b'{"mean": 1.5}')
    forged = ArtifactRef(location=ref.location, sha256="0" * 64, size=ref.size)
    with pytest.raises(ArtifactUnreadable, match="checksum"):
        await store.load(forged)


async def test_a_large_artifact_round_trips(store: ArtifactStore) -> None:
    content = bytes(range(256)) * 40_000  # 10 MB: hashed off the event loop
    ref = await store.save_training_data(CPU, content)
    assert await store.load(ref) == content
