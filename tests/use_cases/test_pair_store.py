"""PairStore: an artifact store belongs to the first database that uses it, and to no other."""

import pytest

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.ports.errors import ArtifactStoreOfAnotherDatabase
from anomaly.use_cases.fit_model import FitCommand
from tests.support.fakes import Fakes

BATCH = b'{"timestamps": [1, 2, 3], "values": [1.0, 2.0, 3.0]}'


async def test_the_first_database_to_use_a_store_owns_it_and_another_is_refused_by_name() -> None:
    store = InMemoryArtifactStore()
    first, other = Fakes(artifacts=store), Fakes(artifacts=store)
    assert await first.pairing()() == first.database.identity
    assert await store.owners() == [("memory", first.database.identity)]
    assert await first.pairing()() == first.database.identity  # and again, as at every start
    with pytest.raises(ArtifactStoreOfAnotherDatabase) as refused:
        await other.pairing()()
    for identity in (first.database.identity, other.database.identity):
        assert identity.id in str(refused.value)
        assert identity.name in str(refused.value)
    assert await store.owners() == [("memory", first.database.identity)]


async def test_a_check_without_a_claim_leaves_the_store_unclaimed() -> None:
    fakes = Fakes()
    await fakes.pairing()(claim=False)
    assert await fakes.artifacts.owners() == [("memory", None)]


async def test_an_unclaimed_store_is_claimed_only_if_the_database_knows_its_artifacts() -> None:
    store = InMemoryArtifactStore()
    used_before_pairing = Fakes(artifacts=store)
    await used_before_pairing.fit_model()(FitCommand("cpu", BATCH))
    stranger = Fakes(artifacts=store)  # a fresh database (a leftover file, say) started first
    with pytest.raises(ArtifactStoreOfAnotherDatabase, match="refers to none of them"):
        await stranger.pairing()()
    assert await store.owners() == [("memory", None)]
    await used_before_pairing.pairing()()
    assert await store.owners() == [("memory", used_before_pairing.database.identity)]
