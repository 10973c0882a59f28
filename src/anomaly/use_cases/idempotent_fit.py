"""Use case: a fit that a client may safely retry under an idempotency key."""

from collections.abc import Callable

from anomaly.domain.caller import Caller
from anomaly.domain.idempotency import IdempotencyRecord
from anomaly.domain.model_version import ModelVersion
from anomaly.ports.version_recorder import Receipt
from anomaly.use_cases.fit_model import FitCommand, FitModel
from anomaly.use_cases.idempotent import Idempotent, Reply


class IdempotentFit:
    def __init__(self, idempotent: Idempotent, fit_model: FitModel) -> None:
        self._idempotent = idempotent
        self._fit_model = fit_model

    async def __call__(
        self,
        caller: Caller,
        key: str,
        request_fingerprint: str,
        command: FitCommand,
        reply: Callable[[ModelVersion], bytes],
    ) -> Reply:
        """`reply` writes what the client is answered for the version fitted, to keep with the key."""

        async def fit(claim: IdempotencyRecord) -> bytes:
            version = await self._fit_model(command, Receipt(claim=claim, reply=reply))
            # The same function of the same version gives the same bytes the recorder kept.
            return reply(version)

        return await self._idempotent(caller, key, request_fingerprint, fit)
