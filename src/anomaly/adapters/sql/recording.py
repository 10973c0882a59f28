"""Recording a version in a transaction of a write unit of work, with whatever must commit with it."""

from collections.abc import Callable
from typing import Any

from anomaly.adapters.sql import statements
from anomaly.adapters.sql.errors import database_errors
from anomaly.adapters.sql.tables import version_row
from anomaly.adapters.sql.units_of_work import SqlWriteUnitOfWork
from anomaly.domain.idempotency import IdempotencyKeyInUse
from anomaly.domain.model_version import ModelVersion, VersionDraft
from anomaly.ports.version_recorder import Receipt


async def record_with_receipt(
    writes: Callable[[], SqlWriteUnitOfWork], allocate: Any, draft: VersionDraft, receipt: Receipt
) -> ModelVersion:
    """The version and the receipt's reply in one transaction: kept together or not at all."""
    async with writes() as uow:
        return await _record_in(uow, allocate, draft, receipt)


async def _record_in(
    uow: SqlWriteUnitOfWork, allocate: Any, draft: VersionDraft, receipt: Receipt
) -> ModelVersion:
    uow.changed.changing(draft.series_id)
    with database_errors("allocating a version"):
        result = await uow.connection.execute(allocate, {"series_id": draft.series_id.value})
        version = draft.numbered(int(result.scalar_one()))
    with database_errors("recording a version"):
        await uow.connection.execute(statements.INSERT_VERSION, version_row(version))
    if not await uow.idempotency.complete(receipt.claim, receipt.reply(version)):
        # Our lease ran out and a retry took the key over: it, not we, fits this request.
        # Raising here rolls our version back with the transaction.
        raise IdempotencyKeyInUse.taken_over()
    await uow.commit()
    return version
