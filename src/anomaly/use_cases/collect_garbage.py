"""Use case: delete versions past retention, remove what crashes and failed commits leave behind, and
forget expired idempotency keys."""

import asyncio
import logging
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePath

from anomaly.domain.model_version import ModelVersion, StoredFile
from anomaly.domain.retention import Retention
from anomaly.domain.series_id import SeriesId
from anomaly.ports.artifacts import ArtifactInventory, ArtifactRemover
from anomaly.ports.clock import Clock
from anomaly.ports.units_of_work import Reads, Writes
from anomaly.use_cases.pair_store import PairStore
from anomaly.use_cases.remove_artifacts import remove_artifacts_of

logger = logging.getLogger(__name__)


# Series read per page when every series is walked for retention.
SERIES_PAGE = 1000


@dataclass
class GarbageReport:
    retired: list[ModelVersion] = field(default_factory=list)  # versions past retention
    orphans: list[str] = field(default_factory=list)  # finished files no version refers to
    temporaries: list[str] = field(default_factory=list)  # unfinished writes
    expired_keys: int = 0
    kept_young: int = 0  # too recent to judge: their fit may still be committing


class CollectGarbage:
    """A file is garbage when it is older than `grace` and no version row refers to it.

    Files are listed before rows are read, and a fit writes its files before it commits its row,
    so a file whose row is committing is only ever mistaken for garbage if the fit takes longer
    than `grace` between the two: keep `grace` far above the longest fit.

    Nothing is swept unless the store belongs to this database (see PairStore): another database's
    artifacts are all unreferenced here.
    """

    def __init__(
        self,
        reads: Reads,
        writes: Writes,
        artifacts: ArtifactInventory,
        remover: ArtifactRemover,
        clock: Clock,
        retention: Retention | None = None,
        *,
        pairing: PairStore,
    ) -> None:
        self._reads = reads
        self._writes = writes
        self._artifacts = artifacts
        self._remover = remover
        self._clock = clock
        self._retention = retention or Retention()
        self._pairing = pairing

    async def __call__(self, grace: timedelta, dry_run: bool = False) -> GarbageReport:
        await self._pairing(claim=not dry_run)
        now = self._clock.now()
        report = GarbageReport()
        report.retired = await self._retire(now, dry_run)
        by_series: dict[SeriesId, list[StoredFile]] = defaultdict(list)
        for stored in await self._artifacts.inventory():
            if stored.modified_at > now - grace:
                report.kept_young += 1
            else:
                by_series[stored.series_id].append(stored)
        for series_id, files in by_series.items():
            async with self._reads() as uow:
                locations = await uow.references.artifact_locations(series_id)
            # Compared by file name, unique by construction: a folder that moved or was mounted
            # elsewhere since its rows were written must not make live artifacts look orphaned.
            referenced = {PurePath(location).name for location in locations}
            for stored in files:
                if stored.temporary:
                    report.temporaries.append(stored.location)
                elif PurePath(stored.location).name not in referenced:
                    report.orphans.append(stored.location)
        if dry_run:
            return report
        for location in report.orphans + report.temporaries:
            await self._artifacts.remove(location)
        async with self._writes() as uow:
            report.expired_keys = await uow.idempotency.delete_expired(now)
            await uow.commit()
        return report

    async def _retire(self, now: datetime, dry_run: bool) -> list[ModelVersion]:
        """Delete each series' versions past retention, rows first and files after (as DeleteVersions)."""
        if self._retention.keeps_everything:
            return []
        retired: list[ModelVersion] = []
        for series_id in await self._every_series():
            async with self._reads() as uow:
                versions = await uow.listings.list_versions(series_id)
            expired = self._retention.expired(versions, now)
            if dry_run or not expired:
                retired += expired
                continue
            async with self._writes() as uow:
                deleted = [
                    found
                    for version in expired
                    if (found := await uow.removals.delete_version(series_id, version.version)) is not None
                ]
                await uow.commit()
            await remove_artifacts_of(self._remover, deleted)
            retired += deleted
        return retired

    async def _every_series(self) -> list[SeriesId]:
        found: list[SeriesId] = []
        while True:
            async with self._reads() as uow:
                page = await uow.listings.list_series(SERIES_PAGE, offset=len(found))
            found += [summary.series_id for summary in page]
            if len(page) < SERIES_PAGE:
                return found


async def collect_periodically(collect: CollectGarbage, interval: float, grace: timedelta) -> None:
    """Sweep every `interval` seconds until cancelled; each process starts at a random point."""
    await asyncio.sleep(random.uniform(0, interval))
    while True:
        try:
            report = await collect(grace)
            if report.retired or report.orphans or report.temporaries or report.expired_keys:
                logger.info(
                    "garbage collected: %d versions past retention, %d orphaned and %d temporary files, "
                    "%d expired idempotency keys",
                    len(report.retired),
                    len(report.orphans),
                    len(report.temporaries),
                    report.expired_keys,
                )
        except Exception:
            logger.warning("garbage collection failed; will try again", exc_info=True)
        await asyncio.sleep(interval)
