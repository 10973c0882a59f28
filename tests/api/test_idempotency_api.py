"""POST /fit/{series_id} with an Idempotency-Key on in-memory adapters: safe retries as clients see them."""

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.adapters.memory.clock import FixedClock
from anomaly.adapters.memory.database import InMemoryDatabase
from anomaly.bootstrap import Adapters, create_app
from anomaly.domain.caller import ANONYMOUS
from anomaly.domain.idempotency import KEEP_FOR, LEASE, MAX_KEY_LENGTH, IdempotencyRecord, fingerprint
from anomaly.settings import Settings
from tests.support.concurrent_client import served_in_this_loop
from tests.support.fakes import Fakes, GatedStore
from tests.support.payloads import SMALL, batch

Client = AsyncTestClient[Litestar]
KEY = "5f1c0a7e-retry-safe"
BODY = json.dumps(SMALL).encode()
OTHER_BODY = json.dumps(batch([1.0, 2.0, 3.0, 4.0])).encode()
REPLAYED = "Idempotent-Replayed"


def keyed(key: str | bytes = KEY, **extra: str) -> dict[str, Any]:
    return {"Idempotency-Key": key, **extra}


async def version_total(client: httpx.AsyncClient, series: str, **headers: str) -> int:
    response = await client.get(f"/series/{series}/versions", headers=headers)
    if response.status_code == 404:
        return 0
    assert response.status_code == 200
    total: int = response.json()["total"]
    return total


def memory_adapters_with(
    database: InMemoryDatabase, artifacts: InMemoryArtifactStore, clock: FixedClock
) -> Adapters:
    return Fakes(database=database, artifacts=artifacts, clock=clock).adapters()


async def test_a_retry_with_the_same_key_and_body_replays_the_first_response(
    memory_client: Client, memory_artifacts: InMemoryArtifactStore
) -> None:
    first = await memory_client.post("/fit/cpu", content=BODY, headers=keyed())
    assert first.status_code == 200
    assert first.json()["version"] == 1
    assert REPLAYED not in first.headers
    for _ in range(2):
        again = await memory_client.post("/fit/cpu", content=BODY, headers=keyed())
        assert again.status_code == first.status_code
        assert again.content == first.content
        assert again.headers[REPLAYED] == "true"
        assert again.headers["content-type"] == first.headers["content-type"]
    assert await version_total(memory_client, "cpu") == 1
    assert len(memory_artifacts.files) == 2


async def test_the_stored_response_is_the_one_sent(
    memory_client: Client, memory_database: InMemoryDatabase
) -> None:
    first = await memory_client.post("/fit/cpu", content=BODY, headers=keyed())
    record = memory_database.idempotency[(ANONYMOUS.identity, KEY)]
    assert record.reply == first.content


@pytest.mark.parametrize(
    ("path", "body"),
    [("/fit/cpu", OTHER_BODY), ("/fit/disk", BODY)],
    ids=["different body", "different series"],
)
async def test_the_same_key_for_another_request_is_refused_and_stores_nothing(
    memory_client: Client,
    memory_artifacts: InMemoryArtifactStore,
    memory_database: InMemoryDatabase,
    path: str,
    body: bytes,
) -> None:
    first = await memory_client.post("/fit/cpu", content=BODY, headers=keyed())
    assert first.status_code == 200
    kept = dict(memory_database.idempotency)
    reused = await memory_client.post(path, content=body, headers=keyed())
    assert reused.status_code == 422
    payload = reused.json()
    assert payload["success"] is False
    assert payload["error"] == "idempotency_key_reused"
    assert REPLAYED not in reused.headers
    assert await version_total(memory_client, "cpu") == 1
    assert await version_total(memory_client, "disk") == 0
    assert len(memory_artifacts.files) == 2
    assert memory_database.idempotency == kept
    # The key still answers the request it was first used for.
    again = await memory_client.post("/fit/cpu", content=BODY, headers=keyed())
    assert (again.status_code, again.content, again.headers[REPLAYED]) == (200, first.content, "true")


@pytest.mark.parametrize(
    "bad_body",
    [
        {"timestamps": [1, 2, 3], "values": [1.0, 2.0]},  # refused while decoding, before any claim
        {"timestamps": [1, 2], "values": [1.0, 2.0]},  # refused by the fit, after the claim
        {"timestamps": [1, 3, 2], "values": [1.0, 2.0, 3.0]},
    ],
    ids=["lengths differ", "too few points", "decreasing timestamps"],
)
async def test_a_key_whose_request_failed_validation_is_not_burnt(
    memory_client: Client,
    memory_artifacts: InMemoryArtifactStore,
    memory_database: InMemoryDatabase,
    bad_body: dict[str, Any],
) -> None:
    failed = await memory_client.post("/fit/cpu", json=bad_body, headers=keyed())
    assert failed.status_code == 422
    assert failed.json()["error"] == "invalid_input"
    assert memory_database.idempotency == {}
    assert memory_artifacts.files == {}
    fixed = await memory_client.post("/fit/cpu", content=BODY, headers=keyed())
    assert fixed.status_code == 200
    assert fixed.json()["version"] == 1
    assert REPLAYED not in fixed.headers
    again = await memory_client.post("/fit/cpu", content=BODY, headers=keyed())
    assert (again.status_code, again.content, again.headers[REPLAYED]) == (200, fixed.content, "true")


async def test_without_a_key_every_request_creates_a_version(
    memory_client: Client, memory_database: InMemoryDatabase
) -> None:
    responses = [await memory_client.post("/fit/cpu", content=BODY) for _ in range(3)]
    assert [response.status_code for response in responses] == [200] * 3
    assert [response.json()["version"] for response in responses] == [1, 2, 3]
    assert all(REPLAYED not in response.headers for response in responses)
    assert await version_total(memory_client, "cpu") == 3
    assert memory_database.idempotency == {}


@pytest.mark.parametrize(
    "key",
    ["", "k" * (MAX_KEY_LENGTH + 1), "clé".encode(), "a\tb", "a\x01b", "a\x7fb"],
    ids=["empty", "too long", "non-ASCII", "tab", "control character", "DEL"],
)
async def test_a_malformed_key_is_refused_naming_the_header(
    memory_client: Client,
    memory_artifacts: InMemoryArtifactStore,
    memory_database: InMemoryDatabase,
    key: str | bytes,
) -> None:
    response = await memory_client.post("/fit/cpu", content=BODY, headers=keyed(key))
    assert response.status_code == 422
    payload = response.json()
    assert payload["success"] is False
    assert payload["error"] == "invalid_input"
    assert payload["field"] == "Idempotency-Key"
    assert "Idempotency-Key" in payload["message"]
    assert memory_artifacts.files == {}
    assert memory_database.rows == {}
    assert memory_database.idempotency == {}


async def test_the_longest_key_of_printable_ascii_is_accepted(memory_client: Client) -> None:
    key = "".join(chr(33 + index % 94) for index in range(MAX_KEY_LENGTH))
    first = await memory_client.post("/fit/cpu", content=BODY, headers=keyed(key))
    again = await memory_client.post("/fit/cpu", content=BODY, headers=keyed(key))
    assert first.status_code == 200
    assert (again.content, again.headers[REPLAYED]) == (first.content, "true")


async def test_a_retry_while_the_first_request_runs_is_told_to_wait(
    memory_database: InMemoryDatabase,
) -> None:
    store = GatedStore(False)
    app = create_app(Settings(), adapters=memory_adapters_with(memory_database, store, FixedClock()))
    async with served_in_this_loop(app) as client:
        first = asyncio.create_task(client.post("/fit/cpu", content=BODY, headers=keyed()))
        await asyncio.wait_for(store.entered[0].wait(), timeout=10)
        retry = await client.post("/fit/cpu", content=BODY, headers=keyed())
        other_body = await client.post("/fit/cpu", content=OTHER_BODY, headers=keyed())
        store.proceed[0].set()
        done = await asyncio.wait_for(first, timeout=10)
        third = await client.post("/fit/cpu", content=BODY, headers=keyed())
        total = await version_total(client, "cpu")
    assert retry.status_code == 409
    assert retry.json()["error"] == "idempotency_key_in_use"
    assert retry.json()["success"] is False
    assert retry.headers["Retry-After"] == "1"
    assert REPLAYED not in retry.headers
    assert other_body.status_code == 422
    assert other_body.json()["error"] == "idempotency_key_reused"
    assert done.status_code == 200
    assert done.json()["version"] == 1
    assert REPLAYED not in done.headers
    assert (third.status_code, third.content, third.headers[REPLAYED]) == (200, done.content, "true")
    assert total == 1
    assert len(store.files) == 2


@pytest.mark.parametrize(
    ("later", "replays"),
    [
        (timedelta(seconds=1), True),
        (KEEP_FOR - timedelta(seconds=1), True),
        (KEEP_FOR, False),
        (KEEP_FOR + timedelta(seconds=1), False),
        (KEEP_FOR * 30, False),
    ],
    ids=["1 s later", "just within 24 h", "24 h later", "just past 24 h", "30 days later"],
)
async def test_a_key_is_kept_for_24_hours_then_forgotten(
    memory_database: InMemoryDatabase,
    memory_artifacts: InMemoryArtifactStore,
    later: timedelta,
    replays: bool,
) -> None:
    clock = FixedClock()
    app = create_app(Settings(), adapters=memory_adapters_with(memory_database, memory_artifacts, clock))
    async with AsyncTestClient(app=app) as client:
        first = await client.post("/fit/cpu", content=BODY, headers=keyed())
        clock.current += later
        again = await client.post("/fit/cpu", content=BODY, headers=keyed())
        total = await version_total(client, "cpu")
        last = await client.post("/fit/cpu", content=BODY, headers=keyed())
    assert first.status_code == again.status_code == 200
    if replays:
        assert again.content == first.content
        assert again.headers[REPLAYED] == "true"
        assert total == 1
    else:
        assert again.json()["version"] == 2
        assert REPLAYED not in again.headers
        assert total == 2
        record = memory_database.idempotency[(ANONYMOUS.identity, KEY)]
        assert record.created_at == clock.current
        assert record.expires_at == clock.current + KEEP_FOR
    # Either way the key now answers with the latest response.
    assert (last.content, last.headers[REPLAYED]) == (again.content, "true")


@pytest.mark.parametrize(
    ("lease_left", "status"),
    [(-timedelta(seconds=1), 200), (timedelta(0), 200), (timedelta(seconds=1), 409)],
    ids=["lease lapsed", "lease ends now", "lease still running"],
)
async def test_a_claim_abandoned_by_a_dead_request_is_taken_over_once_its_lease_lapses(
    memory_client: Client,
    memory_adapters: Adapters,
    memory_database: InMemoryDatabase,
    lease_left: timedelta,
    status: int,
) -> None:
    now = memory_adapters.clock.now()
    started = now - LEASE + lease_left
    memory_database.idempotency[(ANONYMOUS.identity, KEY)] = IdempotencyRecord(
        caller=ANONYMOUS.identity,
        key=KEY,
        fingerprint=fingerprint(b"POST /fit/", b"cpu", BODY),
        created_at=started,
        expires_at=started + KEEP_FOR,
        locked_until=started + LEASE,
    )
    retry = await memory_client.post("/fit/cpu", content=BODY, headers=keyed())
    assert retry.status_code == status
    if status == 409:
        assert retry.json()["error"] == "idempotency_key_in_use"
        assert await version_total(memory_client, "cpu") == 0
        return
    assert retry.json()["version"] == 1
    assert REPLAYED not in retry.headers
    record = memory_database.idempotency[(ANONYMOUS.identity, KEY)]
    assert (record.reply, record.created_at) == (retry.content, now)
    again = await memory_client.post("/fit/cpu", content=BODY, headers=keyed())
    assert (again.content, again.headers[REPLAYED]) == (retry.content, "true")
    assert await version_total(memory_client, "cpu") == 1


async def test_the_abandoned_claim_fingerprint_matches_a_real_request(
    memory_client: Client, memory_database: InMemoryDatabase
) -> None:
    """Keeps the test above honest: its hand-made claim is what a real request would have left."""
    await memory_client.post("/fit/cpu", content=BODY, headers=keyed())
    stored = memory_database.idempotency[(ANONYMOUS.identity, KEY)]
    assert stored.fingerprint == fingerprint(b"POST /fit/", b"cpu", BODY)


ALICE = "alice-key-0123456789abcdef"
BOB = "bob-key-0123456789abcdef"


def as_caller(api_key: str, idempotency_key: str = KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}", "Idempotency-Key": idempotency_key}


async def test_keys_are_scoped_to_the_caller(
    memory_adapters: Adapters, memory_database: InMemoryDatabase
) -> None:
    settings = Settings(api_keys=((ALICE, None), (BOB, None)))
    async with AsyncTestClient(app=create_app(settings, adapters=memory_adapters)) as client:
        alice = await client.post("/fit/cpu", content=BODY, headers=as_caller(ALICE))
        bob = await client.post("/fit/cpu", content=BODY, headers=as_caller(BOB))
        alice_again = await client.post("/fit/cpu", content=BODY, headers=as_caller(ALICE))
        bob_again = await client.post("/fit/cpu", content=BODY, headers=as_caller(BOB))
        total = await version_total(client, "cpu", Authorization=f"Bearer {ALICE}")
    assert (alice.status_code, bob.status_code) == (200, 200)
    assert REPLAYED not in alice.headers
    assert REPLAYED not in bob.headers
    assert sorted([alice.json()["version"], bob.json()["version"]]) == [1, 2]
    assert total == 2
    assert (alice_again.content, alice_again.headers[REPLAYED]) == (alice.content, "true")
    assert (bob_again.content, bob_again.headers[REPLAYED]) == (bob.content, "true")
    assert bob_again.content != alice.content
    assert len(memory_database.idempotency) == 2


async def test_another_caller_may_use_the_same_key_for_another_request(memory_adapters: Adapters) -> None:
    settings = Settings(api_keys=((ALICE, None), (BOB, None)))
    async with AsyncTestClient(app=create_app(settings, adapters=memory_adapters)) as client:
        alice = await client.post("/fit/cpu", content=BODY, headers=as_caller(ALICE))
        bob = await client.post("/fit/disk", content=OTHER_BODY, headers=as_caller(BOB))
        bob_again = await client.post("/fit/disk", content=OTHER_BODY, headers=as_caller(BOB))
        alice_reused = await client.post("/fit/disk", content=OTHER_BODY, headers=as_caller(ALICE))
    assert (alice.status_code, bob.status_code) == (200, 200)
    assert REPLAYED not in bob.headers
    assert (bob_again.content, bob_again.headers[REPLAYED]) == (bob.content, "true")
    # Bob's request under the key does not make it Alice's: for her it is still her first request.
    assert alice_reused.status_code == 422
    assert alice_reused.json()["error"] == "idempotency_key_reused"


async def test_past_24_hours_a_key_may_name_another_request(
    memory_database: InMemoryDatabase, memory_artifacts: InMemoryArtifactStore
) -> None:
    clock = FixedClock()
    app = create_app(Settings(), adapters=memory_adapters_with(memory_database, memory_artifacts, clock))
    async with AsyncTestClient(app=app) as client:
        first = await client.post("/fit/cpu", content=BODY, headers=keyed())
        clock.current += KEEP_FOR
        other = await client.post("/fit/disk", content=OTHER_BODY, headers=keyed())
    assert first.status_code == other.status_code == 200
    assert other.json()["series_id"] == "disk"
    assert REPLAYED not in other.headers


async def test_a_fit_that_failed_frees_its_key_for_a_retry(memory_database: InMemoryDatabase) -> None:
    store = GatedStore(True)
    store.proceed[0].set()
    app = create_app(Settings(), adapters=memory_adapters_with(memory_database, store, FixedClock()))
    async with AsyncTestClient(app=app) as client:
        failed = await client.post("/fit/cpu", content=BODY, headers=keyed())
        assert memory_database.idempotency == {}
        retry = await client.post("/fit/cpu", content=BODY, headers=keyed())
    assert failed.status_code == 503
    assert failed.json()["error"] == "artifact_storage_unavailable"
    assert retry.status_code == 200
    assert retry.json()["version"] == 1
    assert REPLAYED not in retry.headers
    assert len(store.files) == 2


async def test_a_request_that_lost_its_lease_leaves_the_new_claim_alone(
    memory_database: InMemoryDatabase,
) -> None:
    """A outlives its lease, B takes the key over, then A fails: B's claim must survive A's clean-up.

    A retry C that arrives while B still runs must be told to wait, as for any running request.
    """
    clock = FixedClock()
    store = GatedStore(True, False)
    app = create_app(Settings(), adapters=memory_adapters_with(memory_database, store, clock))
    async with served_in_this_loop(app) as client:
        a = asyncio.create_task(client.post("/fit/cpu", content=BODY, headers=keyed()))
        await asyncio.wait_for(store.entered[0].wait(), timeout=10)
        clock.current += LEASE + timedelta(seconds=1)
        b = asyncio.create_task(client.post("/fit/cpu", content=BODY, headers=keyed()))
        await asyncio.wait_for(store.entered[1].wait(), timeout=10)
        store.proceed[0].set()
        a_response = await asyncio.wait_for(a, timeout=10)
        c_response = await client.post("/fit/cpu", content=BODY, headers=keyed())
        store.proceed[1].set()
        b_response = await asyncio.wait_for(b, timeout=10)
        total = await version_total(client, "cpu")
    assert a_response.status_code == 503
    assert b_response.status_code == 200
    assert c_response.status_code == 409, c_response.json()
    assert c_response.json()["error"] == "idempotency_key_in_use"
    assert total == 1
