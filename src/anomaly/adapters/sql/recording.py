"""Recording a version in a transaction of a write unit of work, with whatever must commit with it."""

from collections.abc import Callable
from typing import Any

from anomaly.adapters.sql import statements
from anomaly.adapters.sql.errors import database_errors
from anomaly.adapters.sql.tables import version_row
from anomaly.adapters.sql.units_of_work import SqlWriteUnitOfWork
from anomaly.domain.errors import VersionConflict
from anomaly.domain.idempotency import IdempotencyKeyInUse
from anomaly.domain.model_version import ModelVersion, VersionDraft
from anomaly.ports.version_recorder import Receipt


def still_follows(draft: VersionDraft, newest: int | None) -> None:
    """`VersionConflict` unless the version `draft` follows is still its series' newest; to be
    called in the recording's transaction, once the series' counter is held."""
    if draft.follows is not None and newest != draft.follows:
        raise VersionConflict(draft.series_id.value, draft.follows)


async def record_in_transaction(
    writes: Callable[[], SqlWriteUnitOfWork], allocate: Any, draft: VersionDraft, receipt: Receipt | None
) -> ModelVersion:
    """The version, its precondition and the receipt's reply in one transaction: kept together or
    not at all."""
    async with writes() as uow:
        return await _record_in(uow, allocate, draft, receipt)


async def _record_in(
    uow: SqlWriteUnitOfWork, allocate: Any, draft: VersionDraft, receipt: Receipt | None
) -> ModelVersion:
    uow.changed.changing(draft.series_id)
    series = {"series_id": draft.series_id.value}
    with database_errors("allocating a version"):
        result = await uow.connection.execute(allocate, series)
        version = draft.numbered(int(result.scalar_one()))
    if draft.follows is not None:
        # The counter's row is locked now, so no other version of the series can commit before
        # ours; read after the lock was taken, the newest version is final (a new statement sees
        # every commit that preceded it, on PostgreSQL as on SQLite).
        with database_errors("reading the newest version"):
            newest = (await uow.connection.execute(statements.NEWEST, series)).scalar_one()
        still_follows(draft, newest)
    with database_errors("recording a version"):
        await uow.connection.execute(statements.INSERT_VERSION, version_row(version))
    if receipt is not None and not await uow.idempotency.complete(receipt.claim, receipt.reply(version)):
        # Our lease ran out and a retry took the key over: it, not we, fits this request.
        # Raising here rolls our version back with the transaction.
        raise IdempotencyKeyInUse.taken_over()
    await uow.commit()
    return version
