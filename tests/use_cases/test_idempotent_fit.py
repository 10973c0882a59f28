"""IdempotentFit on the fakes: a retried fit is answered once, with the same bytes, per caller and key."""

import asyncio
from datetime import timedelta

import pytest

from anomaly.domain.caller import Caller
from anomaly.domain.idempotency import KEEP_FOR, LEASE, IdempotencyKeyInUse, IdempotencyKeyReused
from anomaly.domain.model_version import ModelVersion
from anomaly.ports.errors import ArtifactStorageUnavailable
from anomaly.use_cases.fit_model import FitCommand
from anomaly.use_cases.idempotent import Idempotent, Reply
from anomaly.use_cases.idempotent_fit import IdempotentFit
from tests.support.fakes import Fakes, GatedStore

ALICE = Caller("alice")
BOB = Caller("bob")
CAROL = Caller("carol")
KEY = "retry-safe-1"
REQUEST = "a" * 64  # the fingerprint of one request
OTHER_REQUEST = "b" * 64
COMMAND = FitCommand("cpu", b'{"timestamps": [1, 2, 3], "values": [1.0, 2.0, 6.0]}')


def reply(version: ModelVersion) -> bytes:
    return f'{{"series_id": "{version.series_id}", "version": {version.version}}}'.encode()


async def fit(fakes: Fakes, caller: Caller = ALICE, key: str = KEY, request: str = REQUEST) -> Reply:
    return await IdempotentFit(Idempotent(fakes.writes, fakes.clock), fakes.fit_model())(
        caller, key, request, COMMAND, reply
    )


def versions(fakes: Fakes) -> list[int]:
    return sorted(version for _, version in fakes.database.rows)


async def test_the_first_request_fits_and_keeps_its_reply_with_the_key() -> None:
    fakes = Fakes()
    answer = await fit(fakes)
    assert answer == Reply(content=reply(fakes.database.rows[("cpu", 1)]), replayed=False)
    assert versions(fakes) == [1]
    assert fakes.database.idempotency[("alice", KEY)].reply == answer.content


async def test_a_retry_of_the_same_request_replays_the_same_bytes_and_fits_nothing() -> None:
    fakes = Fakes()
    first = await fit(fakes)
    for _ in range(2):
        again = await fit(fakes)
        assert again == Reply(content=first.content, replayed=True)
    assert versions(fakes) == [1]
    assert fakes.database.last_versions == {"cpu": 1}


async def test_the_same_key_for_another_request_is_refused_and_fits_nothing() -> None:
    fakes = Fakes()
    first = await fit(fakes)
    with pytest.raises(IdempotencyKeyReused):
        await fit(fakes, request=OTHER_REQUEST)
    assert versions(fakes) == [1]
    assert await fit(fakes) == Reply(content=first.content, replayed=True)  # the key still holds the first


async def test_a_retry_while_the_first_request_runs_is_told_the_key_is_in_use() -> None:
    store = GatedStore(False)
    fakes = Fakes(artifacts=store)
    first = asyncio.ensure_future(fit(fakes))
    await store.entered[0].wait()  # the first holds its claim while it writes its artifacts
    with pytest.raises(IdempotencyKeyInUse):
        await fit(fakes)
    store.proceed[0].set()
    answer = await first
    assert answer.replayed is False
    assert versions(fakes) == [1]
    assert await fit(fakes) == Reply(content=answer.content, replayed=True)


async def test_a_failed_fit_frees_the_key_so_a_retry_fits() -> None:
    store = GatedStore(True)
    store.proceed[0].set()
    fakes = Fakes(artifacts=store)
    with pytest.raises(ArtifactStorageUnavailable):
        await fit(fakes)
    assert fakes.database.idempotency == {}
    assert versions(fakes) == []
    retry = await fit(fakes)
    assert retry == Reply(content=reply(fakes.database.rows[("cpu", 1)]), replayed=False)


async def test_keys_are_scoped_by_caller_identity() -> None:
    fakes = Fakes()
    alices = await fit(fakes, caller=ALICE)
    bobs = await fit(fakes, caller=BOB)  # alice's key and request: not alice's reply
    carols = await fit(
        fakes, caller=CAROL, request=OTHER_REQUEST
    )  # alice's key, another request: not refused
    assert [alices.replayed, bobs.replayed, carols.replayed] == [False, False, False]
    assert versions(fakes) == [1, 2, 3]
    for caller, first in [(ALICE, alices), (BOB, bobs)]:
        assert await fit(fakes, caller=caller) == Reply(content=first.content, replayed=True)


async def test_an_expired_key_is_fitted_afresh() -> None:
    fakes = Fakes()
    first = await fit(fakes)
    fakes.clock.current += KEEP_FOR
    fresh = await fit(fakes)
    assert fresh == Reply(content=reply(fakes.database.rows[("cpu", 2)]), replayed=False)
    assert fresh.content != first.content
    assert await fit(fakes) == Reply(content=fresh.content, replayed=True)


async def test_a_request_whose_lease_lapsed_and_was_taken_over_cannot_complete() -> None:
    store = GatedStore(False)
    fakes = Fakes(artifacts=store)
    first = asyncio.ensure_future(fit(fakes))
    await store.entered[0].wait()
    fakes.clock.current += LEASE + timedelta(seconds=1)  # the first looks dead: its lease ran out
    second = await fit(fakes)
    assert second == Reply(content=reply(fakes.database.rows[("cpu", 1)]), replayed=False)
    store.proceed[0].set()
    with pytest.raises(IdempotencyKeyInUse):
        await first
    kept = fakes.database.rows[("cpu", 1)]
    assert versions(fakes) == [1]  # the first's version was rolled back
    assert fakes.database.last_versions == {"cpu": 1}
    assert set(store.files) == {kept.model.location, kept.data.location}  # and its artifacts removed
    assert await fit(fakes) == Reply(content=second.content, replayed=True)
