"""Idempotent retries, after the IETF httpapi Idempotency-Key draft and Stripe's practice.

A key names one attempt at one request, for one caller. The first request with a key claims it
for a short lease while it runs; its successful response is kept with the key, and a retry with the
same key and the same request gets that response again, byte for byte. The same key with another
request is refused; a retry while the first still runs is told to wait. A key is kept for
`KEEP_FOR` after its first use, then forgotten (and swept); a claim whose request died without an
answer lapses after `LEASE`, so the client can try again.
"""

import enum
import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from anomaly.domain.errors import DomainError, InvalidInput

KEEP_FOR = timedelta(hours=24)
LEASE = timedelta(seconds=60)
MAX_KEY_LENGTH = 255


class IdempotencyKeyInUse(DomainError):
    """A request with this key is still running."""


class IdempotencyKeyReused(DomainError):
    """This key was used for a different request."""


def parse_key(text: str, field: str) -> str:
    """`text` as a key; `field` names where the client sent it, for the error."""
    if not 1 <= len(text) <= MAX_KEY_LENGTH or not all(" " <= char <= "~" for char in text):
        raise InvalidInput(field, f"must be 1 to {MAX_KEY_LENGTH} printable ASCII characters")
    return text


def fingerprint(*parts: bytes | bytearray) -> str:
    """What makes two requests the same request: a digest of their method, target and body."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    caller: str
    key: str
    fingerprint: str
    created_at: datetime
    expires_at: datetime
    locked_until: datetime
    status: int | None = None  # None while the request runs
    response: bytes | None = None

    @classmethod
    def claim(cls, caller: str, key: str, request_fingerprint: str, now: datetime) -> "IdempotencyRecord":
        return cls(
            caller=caller,
            key=key,
            fingerprint=request_fingerprint,
            created_at=now,
            expires_at=now + KEEP_FOR,
            locked_until=now + LEASE,
        )

    def completed(self, status: int, response: bytes) -> "IdempotencyRecord":
        return replace(self, status=status, response=response)


class Decision(enum.Enum):
    PROCEED = "proceed"  # no live record: run the request under a fresh claim
    REPLAY = "replay"  # answered before: send the same response
    IN_PROGRESS = "in_progress"
    MISMATCH = "mismatch"


def decide(existing: IdempotencyRecord, request_fingerprint: str, now: datetime) -> Decision:
    """What a request holding `request_fingerprint` does, given the record already under its key."""
    if existing.expires_at <= now:
        return Decision.PROCEED
    if existing.fingerprint != request_fingerprint:
        return Decision.MISMATCH
    if existing.status is not None:
        return Decision.REPLAY
    if existing.locked_until <= now:
        return Decision.PROCEED  # its request died without an answer
    return Decision.IN_PROGRESS
