"""Use case: a fit that a client may safely retry under an idempotency key."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from anomaly.domain.caller import Caller
from anomaly.domain.idempotency import (
    Decision,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    IdempotencyRecord,
    decide,
)
from anomaly.domain.model_version import ModelVersion
from anomaly.ports.clock import Clock
from anomaly.ports.units_of_work import Writes
from anomaly.ports.version_recorder import Receipt
from anomaly.use_cases.fit_model import FitCommand, FitModel
from anomaly.use_cases.to_completion import to_completion

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reply:
    """What the client is answered: the first request's reply, again when `replayed`."""

    content: bytes
    replayed: bool


class IdempotentFit:
    """Claims the key in its own short transaction, so that concurrent retries see it at once; then
    fits, and keeps the reply in the same transaction as the version's row: either both exist or
    neither, so a retry can never fit twice nor find a version without its reply.
    """

    def __init__(self, writes: Writes, fit_model: FitModel, clock: Clock) -> None:
        self._writes = writes
        self._fit_model = fit_model
        self._clock = clock

    async def __call__(
        self,
        caller: Caller,
        key: str,
        request_fingerprint: str,
        command: FitCommand,
        reply: Callable[[ModelVersion], bytes],
    ) -> Reply:
        """`reply` writes what the client is answered for the version fitted, to keep with the key."""
        claim = IdempotencyRecord.claim(caller.identity, key, request_fingerprint, self._clock.now())
        kept = await self._claim(claim)
        if kept is not None:
            return Reply(content=kept, replayed=True)
        try:
            version = await self._fit_model(command, Receipt(claim=claim, reply=reply))
        except BaseException:
            await self._release(claim)
            raise
        # The same function of the same version gives the same bytes the recorder kept.
        return Reply(content=reply(version), replayed=False)

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
