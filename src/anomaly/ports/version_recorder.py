"""Port: recording a fit as its series' next version, in one call."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from anomaly.domain.idempotency import IdempotencyRecord
from anomaly.domain.model_version import ModelVersion, VersionDraft


@dataclass(frozen=True, slots=True)
class Receipt:
    """An idempotency claim to complete with the version, and how to write the reply it keeps."""

    claim: IdempotencyRecord
    reply: Callable[[ModelVersion], bytes]


class VersionRecorder(Protocol):
    async def record(self, draft: VersionDraft, receipt: Receipt | None = None) -> ModelVersion:
        """Number `draft` as its series' next version (see `domain.versioning`) and store it, durably.

        Atomic: concurrent recordings never receive the same number, and one that fails gives its
        number back, so versions are 1, 2, 3, ... in commit order. With a `receipt`, its claim is
        completed with `receipt.reply(version)` in the same transaction: both are kept or neither,
        and if the claim was taken over meanwhile, `IdempotencyKeyInUse` is raised and nothing kept.

        The series is marked changed (see SeriesChanges) before this returns, and also when the
        commit fails, since its outcome is then unknown.
        """
        ...
