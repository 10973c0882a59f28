"""Port: the idempotency keys in use, read and written inside a unit of work."""

from datetime import datetime
from typing import Protocol

from anomaly.domain.idempotency import IdempotencyRecord


class IdempotencyRepository(Protocol):
    async def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        """Insert `record` if its (caller, key) is free and return None; else return the record there.

        The existing record stays locked until the unit of work ends, so that deciding on it and
        `replace`-ing it is atomic across processes.
        """
        ...

    async def replace(self, record: IdempotencyRecord) -> None:
        """Overwrite the record under the same (caller, key): an expired or abandoned claim is taken over."""
        ...

    async def complete(self, caller: str, key: str, status: int, response: bytes) -> None:
        """Keep the response of the request that holds the claim."""
        ...

    async def release(self, caller: str, key: str) -> None:
        """Drop a claim whose request ended without a response to keep; a completed record stays."""
        ...

    async def delete_expired(self, now: datetime) -> int:
        """Forget the records past their expiry; return how many."""
        ...
