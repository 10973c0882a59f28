"""Port: the idempotency keys in use, read and written inside a write unit of work."""

from datetime import datetime
from typing import Protocol

from anomaly.domain.idempotency import IdempotencyRecord


class IdempotencyKeys(Protocol):
    async def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        """Insert `record` if its (caller, key) is free and return None; else return the record there.

        The existing record stays locked until the unit of work ends, so that deciding on it and
        `replace`-ing it is atomic across processes.
        """
        ...

    async def replace(self, record: IdempotencyRecord) -> None:
        """Overwrite the record under the same (caller, key): an expired or abandoned claim is taken over."""
        ...

    async def complete(self, claim: IdempotencyRecord, reply: bytes) -> bool:
        """Keep the reply of the request that made `claim`; False if that claim is no longer there
        (it lapsed and another request took the key over), in which case nothing is written."""
        ...

    async def release(self, claim: IdempotencyRecord) -> None:
        """Drop `claim` if it is still there and incomplete: its request ended without a reply."""
        ...

    async def delete_expired(self, now: datetime) -> int:
        """Forget the records past their expiry; return how many."""
        ...
