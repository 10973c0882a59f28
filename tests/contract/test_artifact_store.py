"""One contract for every artifact store: in memory and on the filesystem they behave the same."""

import hashlib
from pathlib import Path

import pytest

from anomaly.adapters.files.artifact_store import FileArtifactStore
from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.domain.model_format import encode_model
from anomaly.domain.model_version import ArtifactRef
from anomaly.domain.series_id import SeriesId
from anomaly.ports.artifacts import ArtifactStore
from anomaly.ports.errors import ArtifactUnreadable
from tests.support.versions import described, make_model

CPU = SeriesId("cpu")
MODEL = make_model()


@pytest.fixture(params=["memory", "files"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    if request.param == "memory":
        return InMemoryArtifactStore()
    return FileArtifactStore(tmp_path / "models", tmp_path / "data")


async def keep(store: ArtifactStore, training_data: bytes | bytearray) -> tuple[ArtifactRef, ArtifactRef]:
    return await store.stage(CPU, training_data).keep(MODEL)


async def test_kept_artifacts_load_back_with_their_checksums(store: ArtifactStore) -> None:
    model, data = await keep(store, b'{"timestamps": [1], "values": [2.0]}')
    assert await store.load(data) == b'{"timestamps": [1], "values": [2.0]}'
    assert data.sha256 == hashlib.sha256(b'{"timestamps": [1], "values": [2.0]}').hexdigest()
    assert await store.load(model) == encode_model(MODEL)
    assert model.size == len(encode_model(MODEL))
    assert described(await store.load_model(model)) == described(MODEL)


async def test_an_artifact_in_the_format_before_model_kinds_loads_as_its_gaussian_model(
    store: ArtifactStore,
) -> None:
    # A version stored by the service before model kinds holds this document: it must keep loading.
    state = MODEL.statistics
    legacy = (
        '{"format":"anomaly.gaussian","format_version":1,'
        f'"mean":{state.mean!r},"std":{state.std!r},"points_used":{state.points_used},'
        f'"minimum":{state.minimum!r},"maximum":{state.maximum!r},'
        f'"first_timestamp":{state.first_timestamp},"last_timestamp":{state.last_timestamp}}}'
    ).encode()
    _, old = await keep(store, legacy)  # the training-data slot holds any bytes as given
    loaded = await store.load_model(old)
    assert described(loaded) == described(MODEL)
    assert loaded.parameters == {"half_life": None}


async def test_every_fit_gets_its_own_locations(store: ArtifactStore) -> None:
    first = await keep(store, b"[1]")
    second = await keep(store, b"[1]")
    assert len({ref.location for ref in (*first, *second)}) == 4


async def test_discarded_artifacts_are_gone_whether_kept_or_not(store: ArtifactStore) -> None:
    staged = store.stage(CPU, b"[1]")
    model, data = await staged.keep(MODEL)
    await staged.discard()
    for ref in (model, data):
        with pytest.raises(ArtifactUnreadable, match="missing"):
            await store.load(ref)
    await store.stage(CPU, b"[2]").discard()  # never kept: nothing to remove, and no error
    assert await store.inventory() == []


async def test_a_large_batch_staged_and_discarded_leaves_nothing(store: ArtifactStore) -> None:
    await store.stage(CPU, b" " * (3 << 20)).discard()
    assert await store.inventory() == []


async def test_a_deleted_artifact_is_gone_and_deleting_again_is_harmless(store: ArtifactStore) -> None:
    model, data = await keep(store, b"[1]")
    await store.delete(model)
    await store.delete(model)
    with pytest.raises(ArtifactUnreadable, match="missing"):
        await store.load(model)
    assert await store.load(data) == b"[1]"


async def test_a_checksum_that_does_not_match_is_refused(store: ArtifactStore) -> None:
    model, _ = await keep(store, b"[1]")
    forged = ArtifactRef(location=model.location, sha256="0" * 64, size=model.size)
    with pytest.raises(ArtifactUnreadable, match="checksum"):
        await store.load(forged)
    with pytest.raises(ArtifactUnreadable, match="checksum"):
        await store.load_model(forged)


async def test_an_artifact_that_holds_no_model_state_is_refused_as_one(store: ArtifactStore) -> None:
    _, data = await keep(store, b"[1]")
    with pytest.raises(ArtifactUnreadable, match="not a model"):
        await store.load_model(data)


async def test_a_large_training_batch_round_trips(store: ArtifactStore) -> None:
    content = bytes(range(256)) * 20_000
    _, data = await keep(store, content)
    assert await store.load(data) == content


async def test_the_inventory_lists_every_kept_file(store: ArtifactStore) -> None:
    model, data = await keep(store, b"[1]")
    listed = await store.inventory()
    assert sorted(stored.location for stored in listed) == sorted([model.location, data.location])
    assert {stored.series_id for stored in listed} == {CPU}
    assert not any(stored.temporary for stored in listed)
    await store.remove(model.location)
    assert [stored.location for stored in await store.inventory()] == [data.location]
