"""Use case: an update that a client may safely retry under an idempotency key, so that a stream's
retry after a lost answer never folds its points in twice."""

from collections.abc import Callable

from anomaly.domain.caller import Caller
from anomaly.domain.idempotency import IdempotencyRecord
from anomaly.use_cases.idempotent import Idempotent, Reply
from anomaly.use_cases.update_model import Update, UpdateCommand, UpdateModel, UpdateReceipt


class IdempotentUpdate:
    def __init__(self, idempotent: Idempotent, update_model: UpdateModel) -> None:
        self._idempotent = idempotent
        self._update_model = update_model

    async def __call__(
        self,
        caller: Caller,
        key: str,
        request_fingerprint: str,
        command: UpdateCommand,
        reply: Callable[[Update], bytes],
    ) -> Reply:
        """`reply` writes what the client is answered for the update, verdicts included, to keep."""

        async def update(claim: IdempotencyRecord) -> bytes:
            return reply(await self._update_model(command, UpdateReceipt(claim=claim, reply=reply)))

        return await self._idempotent(caller, key, request_fingerprint, update)
