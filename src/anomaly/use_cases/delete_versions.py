"""Use cases: delete one version, or every version of a series, rows and artifacts together."""

from anomaly.domain.errors import SeriesNotFound, VersionNotFound
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.ports.artifacts import ArtifactRemover
from anomaly.ports.units_of_work import Writes
from anomaly.use_cases.remove_artifacts import remove_artifacts_of


class DeleteVersions:
    """Rows go first, in one committed transaction, then their files.

    The other order could leave a row whose artifacts are gone; this one can at worst leave files
    no row references, which a sweep can remove safely. The version counter is untouched, so a
    deleted number is never handed out again, and "latest" becomes the newest version left.
    """

    def __init__(self, writes: Writes, artifacts: ArtifactRemover) -> None:
        self._writes = writes
        self._artifacts = artifacts

    async def version(self, series_id: str, version: int) -> list[ModelVersion]:
        series = SeriesId(series_id)
        async with self._writes() as uow:
            deleted = await uow.removals.delete_version(series, version)
            if deleted is None:
                if await uow.rows.latest(series) is None:
                    raise SeriesNotFound(series.value)
                raise VersionNotFound(series.value, version)
            await uow.commit()
        await remove_artifacts_of(self._artifacts, [deleted])
        return [deleted]

    async def series(self, series_id: str) -> list[ModelVersion]:
        series = SeriesId(series_id)
        async with self._writes() as uow:
            deleted = await uow.removals.delete_series(series)
            if not deleted:
                raise SeriesNotFound(series.value)
            await uow.commit()
        await remove_artifacts_of(self._artifacts, deleted)
        return deleted
