"""One contract for the idempotency keys in memory, on SQLite and on PostgreSQL alike."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from anomaly.domain.idempotency import KEEP_FOR, LEASE, MAX_KEY_LENGTH, IdempotencyRecord, fingerprint
from anomaly.ports.units_of_work import Writes
from tests.support.registry import Registry

NOW = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
CALLER = "0123456789abcdef"
OTHER_CALLER = "fedcba9876543210"
KEY = "order-42/retry #1"
BINARY = b"\x00\xff{}"


@pytest.fixture
def writes(registry: Registry) -> Writes:
    return registry.writes


def make_record(
    key: str = KEY, caller: str = CALLER, body: bytes = b"body", now: datetime = NOW
) -> IdempotencyRecord:
    return IdempotencyRecord.claim(caller, key, fingerprint(b"POST /fit/", b"cpu", body), now)


async def claim_and_commit(writes: Writes, record: IdempotencyRecord) -> IdempotencyRecord | None:
    async with writes() as uow:
        existing = await uow.idempotency.claim(record)
        await uow.commit()
    return existing


async def stored(writes: Writes, key: str = KEY, caller: str = CALLER) -> IdempotencyRecord | None:
    """What is under (caller, key), read by a claim that is never committed, so it changes nothing."""
    async with writes() as uow:
        return await uow.idempotency.claim(make_record(key, caller, body=b"probe"))


async def held_claim(writes: Writes, key: str) -> IdempotencyRecord:
    """The claim stored under `key`, as the request that made it holds it (or a claim never made)."""
    return await stored(writes, key) or make_record(key=key)


async def complete(writes: Writes, reply: bytes, key: str = KEY) -> bool:
    claim = await held_claim(writes, key)
    async with writes() as uow:
        done = await uow.idempotency.complete(claim, reply)
        await uow.commit()
    return done


async def release(writes: Writes, key: str = KEY) -> None:
    claim = await held_claim(writes, key)
    async with writes() as uow:
        await uow.idempotency.release(claim)
        await uow.commit()


def assert_aware(record: IdempotencyRecord) -> None:
    for moment in (record.created_at, record.expires_at, record.locked_until):
        assert moment.tzinfo is not None
        assert moment.utcoffset() is not None


async def test_a_free_key_is_claimed_and_the_next_claim_gets_the_record_back(
    writes: Writes,
) -> None:
    record = make_record()
    assert await claim_and_commit(writes, record) is None
    again = await claim_and_commit(writes, make_record(body=b"another body", now=NOW + LEASE))
    assert again == record
    assert again is not None
    assert again.reply is None
    assert again.expires_at == NOW + KEEP_FOR
    assert again.locked_until == NOW + LEASE
    assert_aware(again)


async def test_every_field_round_trips_at_the_limits(writes: Writes) -> None:
    key = "".join(chr(32 + index % 95) for index in range(MAX_KEY_LENGTH))  # every printable ASCII character
    record = IdempotencyRecord(
        caller="c" * 64,
        key=key,
        fingerprint="f" * 64,
        created_at=NOW,
        expires_at=NOW + KEEP_FOR,
        locked_until=NOW + LEASE,
        reply=bytes(range(256)) * 4096,
    )
    assert await claim_and_commit(writes, record) is None
    back = await stored(writes, key, "c" * 64)
    assert back == record
    assert back is not None
    assert_aware(back)


async def test_moments_in_another_time_zone_are_kept_as_the_same_instants(
    writes: Writes,
) -> None:
    tokyo = timezone(timedelta(hours=9))
    record = make_record(now=NOW.astimezone(tokyo))
    assert await claim_and_commit(writes, record) is None
    back = await stored(writes)
    assert back is not None
    assert (back.created_at, back.expires_at, back.locked_until) == (NOW, NOW + KEEP_FOR, NOW + LEASE)
    assert_aware(back)


async def test_an_uncommitted_claim_leaves_nothing(writes: Writes) -> None:
    async with writes() as uow:
        assert await uow.idempotency.claim(make_record()) is None
        # left without commit: rolled back
    assert await stored(writes) is None
    assert await claim_and_commit(writes, make_record()) is None


async def test_an_exception_inside_the_unit_of_work_keeps_no_claim(writes: Writes) -> None:
    async def fail_midway() -> None:
        async with writes() as uow:
            await uow.idempotency.claim(make_record())
            raise RuntimeError("request failed")

    with pytest.raises(RuntimeError):
        await fail_midway()
    assert await stored(writes) is None


async def test_complete_keeps_the_reply_bytes(writes: Writes) -> None:
    record = make_record()
    await claim_and_commit(writes, record)
    await complete(writes, BINARY)
    assert await stored(writes) == record.completed(BINARY)


async def test_an_uncommitted_complete_keeps_the_claim_open(writes: Writes) -> None:
    record = make_record()
    await claim_and_commit(writes, record)
    async with writes() as uow:
        assert await uow.idempotency.complete(record, BINARY)
    assert await stored(writes) == record


async def test_complete_sees_a_claim_made_earlier_in_the_same_unit_of_work(
    writes: Writes,
) -> None:
    record = make_record()
    async with writes() as uow:
        assert await uow.idempotency.claim(record) is None
        assert await uow.idempotency.complete(record, BINARY)
        await uow.commit()
    assert await stored(writes) == record.completed(BINARY)


async def test_release_deletes_an_incomplete_claim(writes: Writes) -> None:
    await claim_and_commit(writes, make_record())
    await release(writes)
    assert await stored(writes) is None
    assert await claim_and_commit(writes, make_record()) is None


async def test_release_keeps_a_completed_record(writes: Writes) -> None:
    record = make_record()
    await claim_and_commit(writes, record)
    await complete(writes, BINARY)
    await release(writes)
    assert await stored(writes) == record.completed(BINARY)


async def test_release_and_complete_of_an_unknown_key_change_nothing(writes: Writes) -> None:
    record = make_record()
    await claim_and_commit(writes, record)
    await release(writes, key="unknown")
    await complete(writes, BINARY, key="unknown")
    assert await stored(writes, key="unknown") is None
    assert await stored(writes) == record


async def test_replace_overwrites_the_record_under_the_key(writes: Writes) -> None:
    await claim_and_commit(writes, make_record())
    await complete(writes, BINARY)
    later = make_record(body=b"another body", now=NOW + KEEP_FOR + timedelta(seconds=1))
    async with writes() as uow:
        existing = await uow.idempotency.claim(later)
        assert existing is not None
        await uow.idempotency.replace(later)
        await uow.commit()
    back = await stored(writes)
    assert back == later
    assert back is not None
    assert back.reply is None


async def test_an_uncommitted_replace_keeps_the_old_record(writes: Writes) -> None:
    record = make_record()
    await claim_and_commit(writes, record)
    async with writes() as uow:
        await uow.idempotency.replace(make_record(body=b"another body", now=NOW + LEASE))
    assert await stored(writes) == record


async def test_delete_expired_removes_exactly_the_expired_records(writes: Writes) -> None:
    now = NOW + KEEP_FOR
    ages = {
        "long-gone": KEEP_FOR + timedelta(days=3),
        "just-gone": KEEP_FOR + timedelta(microseconds=1),
        "expires-now": KEEP_FOR,
        "just-alive": KEEP_FOR - timedelta(microseconds=1),
        "fresh": timedelta(0),
    }
    for key, age in ages.items():
        await claim_and_commit(writes, make_record(key=key, now=now - age))
    await claim_and_commit(writes, make_record(key="long-gone", caller=OTHER_CALLER, now=NOW - KEEP_FOR))
    await complete(writes, BINARY, key="just-gone")
    async with writes() as uow:
        deleted = await uow.idempotency.delete_expired(now)
        await uow.commit()
    assert deleted == 4
    for key in ("long-gone", "just-gone", "expires-now"):
        assert await stored(writes, key) is None, key
    assert await stored(writes, "long-gone", OTHER_CALLER) is None
    for key in ("just-alive", "fresh"):
        assert await stored(writes, key) == make_record(key=key, now=now - ages[key]), key
    async with writes() as uow:
        assert await uow.idempotency.delete_expired(now) == 0


async def test_delete_expired_compares_instants_not_wall_clocks(writes: Writes) -> None:
    await claim_and_commit(writes, make_record(key="gone", now=NOW - KEEP_FOR - timedelta(minutes=1)))
    await claim_and_commit(writes, make_record(key="alive", now=NOW - KEEP_FOR + timedelta(minutes=1)))
    # The same instant as NOW, written with a clock face 9 hours behind.
    async with writes() as uow:
        deleted = await uow.idempotency.delete_expired(NOW.astimezone(timezone(timedelta(hours=-9))))
        await uow.commit()
    assert deleted == 1
    assert await stored(writes, "gone") is None
    assert await stored(writes, "alive") is not None


async def test_an_uncommitted_delete_expired_keeps_the_records(writes: Writes) -> None:
    record = make_record()
    await claim_and_commit(writes, record)
    async with writes() as uow:
        assert await uow.idempotency.delete_expired(NOW + KEEP_FOR) == 1
    assert await stored(writes) == record


async def test_keys_are_scoped_by_caller(writes: Writes) -> None:
    mine = make_record(caller=CALLER)
    theirs = make_record(caller=OTHER_CALLER, body=b"their body")
    assert await claim_and_commit(writes, mine) is None
    assert await claim_and_commit(writes, theirs) is None
    await complete(writes, BINARY)
    assert await stored(writes, caller=CALLER) == mine.completed(BINARY)
    assert await stored(writes, caller=OTHER_CALLER) == theirs
    async with writes() as uow:
        await uow.idempotency.release(theirs)
        await uow.commit()
    assert await stored(writes, caller=OTHER_CALLER) is None
    assert await stored(writes, caller=CALLER) == mine.completed(BINARY)
    async with writes() as uow:
        await uow.idempotency.replace(replace(theirs, caller=CALLER, fingerprint="0" * 64))
        await uow.commit()
    assert await stored(writes, caller=OTHER_CALLER) is None


async def test_concurrent_claims_of_one_key_have_exactly_one_winner(writes: Writes) -> None:
    claims = [make_record(body=f"body {index}".encode()) for index in range(10)]
    results = await asyncio.gather(*(claim_and_commit(writes, claim) for claim in claims))
    winners = [claim for claim, result in zip(claims, results, strict=True) if result is None]
    assert len(winners) == 1
    assert all(result == winners[0] for result in results if result is not None)
    assert await stored(writes) == winners[0]


async def test_a_lapsed_claim_can_neither_complete_nor_release_its_successor(
    writes: Writes,
) -> None:
    first = make_record()
    await claim_and_commit(writes, first)
    successor = make_record(now=NOW + LEASE + timedelta(seconds=1))
    async with writes() as uow:
        await uow.idempotency.replace(successor)
        await uow.commit()
    async with writes() as uow:
        assert not await uow.idempotency.complete(first, BINARY)
        await uow.idempotency.release(first)
        await uow.commit()
    assert await stored(writes) == successor
    async with writes() as uow:
        assert await uow.idempotency.complete(successor, BINARY)
        assert not await uow.idempotency.complete(successor, b"twice")
        await uow.commit()
    assert await stored(writes) == successor.completed(BINARY)


async def test_delete_expired_sees_a_claim_made_earlier_in_the_same_unit_of_work(writes: Writes) -> None:
    async with writes() as uow:
        await uow.idempotency.claim(make_record(now=NOW - KEEP_FOR * 2))
        assert await uow.idempotency.delete_expired(NOW) == 1
        await uow.commit()
    assert await stored(writes) is None
