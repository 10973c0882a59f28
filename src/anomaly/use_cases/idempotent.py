"""Requests a client may safely retry under an idempotency key: the claim, the replay, the release."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from anomaly.domain.caller import Caller
from anomaly.domain.idempotency import (
    Decision,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    IdempotencyRecord,
    decide,
)
from anomaly.ports.clock import Clock
from anomaly.ports.units_of_work import Writes
from anomaly.use_cases.to_completion import to_completion

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reply:
    """What the client is answered: the first request's reply, again when `replayed`."""

    content: bytes
    replayed: bool


class Idempotent:
    """Claims the key in its own short transaction, so that concurrent retries see it at once; then
    performs the request, which keeps its reply in the same transaction as the version it records:
    either both exist or neither, so a retry can never record twice nor find a version without its
    reply.
    """

    def __init__(self, writes: Writes, clock: Clock) -> None:
        self._writes = writes
        self._clock = clock

    async def __call__(
        self,
        caller: Caller,
        key: str,
        request_fingerprint: str,
        perform: Callable[[IdempotencyRecord], Awaitable[bytes]],
    ) -> Reply:
        """`perform` completes the claim it is given with its reply when it records, and returns
        that reply."""
        claim = IdempotencyRecord.claim(caller.identity, key, request_fingerprint, self._clock.now())
        kept = await self._claim(claim)
        if kept is not None:
            return Reply(content=kept, replayed=True)
        try:
            content = await perform(claim)
        except BaseException:
            await self._release(claim)
            raise
        return Reply(content=content, replayed=False)

    async def _claim(self, claim: IdempotencyRecord) -> bytes | None:
        """None when the key is ours to use now; else the reply kept under it."""
        async with self._writes() as uow:
            existing = await uow.idempotency.claim(claim)
            if existing is not None:
                decision = decide(existing, claim.fingerprint, claim.created_at)
                if decision is Decision.REPLAY:
                    assert existing.reply is not None
                    return existing.reply
                if decision is Decision.IN_PROGRESS:
                    raise IdempotencyKeyInUse(
                        f"a request with this idempotency key is still running; retry after it ends "
                        f"(at the latest {existing.locked_until.isoformat()})"
                    )
                if decision is Decision.MISMATCH:
                    raise IdempotencyKeyReused(
                        "this idempotency key was used for a different request; a new request needs a new key"
                    )
                await uow.idempotency.replace(claim)
            await uow.commit()
        return None

    async def _release(self, claim: IdempotencyRecord) -> None:
        # The request failed (or was cancelled) without a reply to keep: free the key for a retry.
        # If its commit went through after all, the record is complete and stays.
        await to_completion(self._release_now(claim))

    async def _release_now(self, claim: IdempotencyRecord) -> None:
        try:
            async with self._writes() as uow:
                await uow.idempotency.release(claim)
                await uow.commit()
        except Exception:
            logger.warning("could not release idempotency key of %s; it lapses with its lease", claim.caller)
