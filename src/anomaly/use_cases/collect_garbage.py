"""Use case: remove what crashes and failed commits leave behind, and forget expired idempotency keys."""

import asyncio
import logging
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePath

from anomaly.domain.model_version import StoredFile
from anomaly.domain.series_id import SeriesId
from anomaly.ports.artifacts import ArtifactInventory
from anomaly.ports.clock import Clock
from anomaly.ports.units_of_work import Reads, Writes

logger = logging.getLogger(__name__)


@dataclass
class GarbageReport:
    orphans: list[str] = field(default_factory=list)  # finished files no version refers to
    temporaries: list[str] = field(default_factory=list)  # unfinished writes
    expired_keys: int = 0
    kept_young: int = 0  # too recent to judge: their fit may still be committing


class CollectGarbage:
    """A file is garbage when it is older than `grace` and no version row refers to it.

    Files are listed before rows are read, and a fit writes its files before it commits its row,
    so a file whose row is committing is only ever mistaken for garbage if the fit takes longer
    than `grace` between the two: keep `grace` far above the longest fit.
    """

    def __init__(self, reads: Reads, writes: Writes, artifacts: ArtifactInventory, clock: Clock) -> None:
        self._reads = reads
        self._writes = writes
        self._artifacts = artifacts
        self._clock = clock

    async def __call__(self, grace: timedelta, dry_run: bool = False) -> GarbageReport:
        now = self._clock.now()
        report = GarbageReport()
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


async def collect_periodically(collect: CollectGarbage, interval: float, grace: timedelta) -> None:
    """Sweep every `interval` seconds until cancelled; each process starts at a random point."""
    await asyncio.sleep(random.uniform(0, interval))
    while True:
        try:
            report = await collect(grace)
            if report.orphans or report.temporaries or report.expired_keys:
                logger.info(
                    "garbage collected: %d orphaned and %d temporary files, %d expired idempotency keys",
                    len(report.orphans),
                    len(report.temporaries),
                    report.expired_keys,
                )
        except Exception:
            logger.warning("garbage collection failed; will try again", exc_info=True)
        await asyncio.sleep(interval)
