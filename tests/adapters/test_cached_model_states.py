"""CachedModels: a model is read and verified once, and only ever served for its own bytes."""

import pytest

from anomaly.adapters.caching.models import CachedModels
from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ArtifactRef
from anomaly.domain.series_id import SeriesId
from anomaly.ports.errors import ArtifactUnreadable
from tests.support.versions import described, make_model

MODEL = make_model()


class CountedStore(InMemoryArtifactStore):
    def __init__(self) -> None:
        super().__init__()
        self.state_reads = 0

    async def load_model(self, ref: ArtifactRef) -> Model:
        self.state_reads += 1
        return await super().load_model(ref)


async def test_a_state_is_read_once_then_served_from_memory() -> None:
    store = CountedStore()
    model, _ = await store.stage(SeriesId("cpu"), b"[1]").keep(MODEL)
    states = CachedModels(store, store)
    loaded = [await states.load_model(model) for _ in range(3)]
    assert [described(each) for each in loaded] == [described(MODEL)] * 3
    assert loaded[1] is loaded[0]
    assert loaded[2] is loaded[0]
    assert store.state_reads == 1


async def test_a_row_naming_other_bytes_at_the_same_place_is_never_answered_from_memory() -> None:
    store = CountedStore()
    model, _ = await store.stage(SeriesId("cpu"), b"[1]").keep(MODEL)
    states = CachedModels(store, store)
    await states.load_model(model)
    forged = ArtifactRef(location=model.location, sha256="0" * 64, size=model.size)
    with pytest.raises(ArtifactUnreadable, match="checksum"):
        await states.load_model(forged)


async def test_the_least_recently_used_states_are_forgotten_first() -> None:
    store = CountedStore()
    refs = [(await store.stage(SeriesId("cpu"), b"[1]").keep(MODEL))[0] for _ in range(3)]
    states = CachedModels(store, store, capacity=2)
    for ref in refs:
        await states.load_model(ref)
    await states.load_model(refs[2])
    assert store.state_reads == 3
    await states.load_model(refs[0])
    assert store.state_reads == 4


async def test_a_model_kept_through_the_cache_is_served_without_reading_it_back() -> None:
    store = CountedStore()
    models = CachedModels(store, store)
    model, _ = await models.stage(SeriesId("cpu"), b"[1]").keep(MODEL)
    assert await models.load_model(model) is MODEL
    assert store.state_reads == 0
    # Only for the bytes it was kept as.
    with pytest.raises(ArtifactUnreadable, match="checksum"):
        await models.load_model(ArtifactRef(location=model.location, sha256="0" * 64, size=model.size))
