"""Use case: a fit that a client may safely retry under an Idempotency-Key."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

import anyio

from anomaly.domain.caller import Caller
from anomaly.domain.idempotency import (
    Decision,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    IdempotencyRecord,
    decide,
)
from anomaly.ports.clock import Clock
from anomaly.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from anomaly.use_cases.fit_model import FitCommand, FitModel, FitResult, SentBatch

logger = logging.getLogger(__name__)

Render = Callable[[FitResult], bytes]


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: bytes
    replayed: bool


class IdempotentFit:
    """Claims the key in its own short transaction, so that concurrent retries see it at once; then
    fits, and keeps the response in the same transaction as the version's row: either both exist
    or neither, so a retry can never fit twice nor find a version without its response.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, fit_model: FitModel, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._fit_model = fit_model
        self._clock = clock

    async def __call__(
        self,
        caller: Caller,
        key: str,
        request_fingerprint: str,
        command: FitCommand | SentBatch,
        render: Render,
    ) -> StoredResponse:
        claim = IdempotencyRecord.claim(caller.identity, key, request_fingerprint, self._clock.now())
        replay = await self._claim(claim)
        if replay is not None:
            return replay
        body = b""

        async def keep_response(uow: UnitOfWork, result: FitResult) -> None:
            nonlocal body
            body = render(result)
            if not await uow.idempotency.complete(claim, 200, body):
                # Our lease ran out and a retry took the key over: it, not we, fits this request.
                # Raising here rolls our version back with the transaction.
                raise IdempotencyKeyInUse(
                    "this request outlived its claim on the Idempotency-Key and a retry took it over"
                )

        try:
            await self._fit_model(command, on_record=keep_response)
        except BaseException:
            await self._release(claim)
            raise
        return StoredResponse(status=200, body=body, replayed=False)

    async def _claim(self, claim: IdempotencyRecord) -> StoredResponse | None:
        async with self._uow_factory() as uow:
            existing = await uow.idempotency.claim(claim)
            if existing is not None:
                decision = decide(existing, claim.fingerprint, claim.created_at)
                if decision is Decision.REPLAY:
                    assert existing.status is not None
                    assert existing.response is not None
                    return StoredResponse(status=existing.status, body=existing.response, replayed=True)
                if decision is Decision.IN_PROGRESS:
                    raise IdempotencyKeyInUse(
                        f"a request with this Idempotency-Key is still running; retry after it ends "
                        f"(at the latest {existing.locked_until.isoformat()})"
                    )
                if decision is Decision.MISMATCH:
                    raise IdempotencyKeyReused(
                        "this Idempotency-Key was used for a different request; a new request needs a new key"
                    )
                await uow.idempotency.replace(claim)
            await uow.commit()
        return None

    async def _release(self, claim: IdempotencyRecord) -> None:
        # The request failed (or was cancelled) without a response to keep: free the key for a
        # retry. If its commit went through after all, the record is complete and stays.
        with anyio.CancelScope(shield=True):
            try:
                async with self._uow_factory() as uow:
                    await uow.idempotency.release(claim)
                    await uow.commit()
            except Exception:
                logger.warning(
                    "could not release idempotency key of %s; it lapses with its lease", claim.caller
                )
