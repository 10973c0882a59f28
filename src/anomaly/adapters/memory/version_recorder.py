"""Recording versions in memory: one write unit of work per version, like the SQL recorders."""

from collections.abc import Callable

from anomaly.adapters.memory.units_of_work import InMemoryWriteUnitOfWork
from anomaly.domain.idempotency import IdempotencyKeyInUse
from anomaly.domain.model_version import ModelVersion, VersionDraft
from anomaly.ports.version_recorder import Receipt


class InMemoryRecorder:
    def __init__(self, writes: Callable[[], InMemoryWriteUnitOfWork]) -> None:
        self._writes = writes

    async def record(self, draft: VersionDraft, receipt: Receipt | None = None) -> ModelVersion:
        async with self._writes() as uow:
            version = uow.add_next(draft)
            if receipt is not None and not await uow.idempotency.complete(
                receipt.claim, receipt.reply(version)
            ):
                raise IdempotencyKeyInUse.taken_over()
            await uow.commit()
        return version
