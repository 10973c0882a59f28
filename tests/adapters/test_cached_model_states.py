"""CachedModelStates: a model state is read and verified once, and only ever served for its own bytes."""

import pytest

from anomaly.adapters.caching.model_states import CachedModelStates
from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.domain.model import ModelState
from anomaly.domain.model_version import ArtifactRef
from anomaly.domain.series_id import SeriesId
from anomaly.ports.errors import ArtifactUnreadable
from tests.support.versions import make_draft

STATE = make_draft("cpu").state


class CountedStore(InMemoryArtifactStore):
    def __init__(self) -> None:
        super().__init__()
        self.state_reads = 0

    async def load_model_state(self, ref: ArtifactRef) -> ModelState:
        self.state_reads += 1
        return await super().load_model_state(ref)


async def test_a_state_is_read_once_then_served_from_memory() -> None:
    store = CountedStore()
    model, _ = await store.stage(SeriesId("cpu"), b"[1]").keep(STATE)
    states = CachedModelStates(store)
    assert [await states.load_model_state(model) for _ in range(3)] == [STATE] * 3
    assert store.state_reads == 1


async def test_a_row_naming_other_bytes_at_the_same_place_is_never_answered_from_memory() -> None:
    store = CountedStore()
    model, _ = await store.stage(SeriesId("cpu"), b"[1]").keep(STATE)
    states = CachedModelStates(store)
    await states.load_model_state(model)
    forged = ArtifactRef(location=model.location, sha256="0" * 64, size=model.size)
    with pytest.raises(ArtifactUnreadable, match="checksum"):
        await states.load_model_state(forged)


async def test_the_least_recently_used_states_are_forgotten_first() -> None:
    store = CountedStore()
    refs = [(await store.stage(SeriesId("cpu"), b"[1]").keep(STATE))[0] for _ in range(3)]
    states = CachedModelStates(store, capacity=2)
    for ref in refs:
        await states.load_model_state(ref)
    await states.load_model_state(refs[2])
    assert store.state_reads == 3
    await states.load_model_state(refs[0])
    assert store.state_reads == 4
