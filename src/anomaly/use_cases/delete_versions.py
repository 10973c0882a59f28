"""Use cases: delete one version, or every version of a series, rows and artifacts together."""

from anomaly.domain.errors import SeriesNotFound, VersionNotFound
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.ports.artifact_store import ArtifactStore
from anomaly.ports.series_changes import SeriesChanges
from anomaly.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from anomaly.use_cases.artifact_cleanup import remove_quietly
from anomaly.use_cases.model_states import ModelStates


class DeleteVersions:
    """Rows go first, in one committed transaction, then their files.

    The other order could leave a row whose artifacts are gone; this one can at worst leave files
    no row references, which a sweep can remove safely. The version counter is untouched, so a
    deleted number is never handed out again, and "latest" becomes the newest version left.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        artifacts: ArtifactStore,
        states: ModelStates,
        changes: SeriesChanges,
    ) -> None:
        self._uow_factory = uow_factory
        self._artifacts = artifacts
        self._states = states
        self._changes = changes

    async def version(self, series_id: str, version: int) -> list[ModelVersion]:
        series = SeriesId(series_id)
        async with self._uow_factory() as uow:
            deleted = await uow.models.delete_version(series, version)
            if deleted is None:
                if await uow.models.latest(series) is None:
                    raise SeriesNotFound(series.value)
                raise VersionNotFound(series.value, version)
            await self._commit(uow, series)
        await self._remove_artifacts([deleted])
        return [deleted]

    async def series(self, series_id: str) -> list[ModelVersion]:
        series = SeriesId(series_id)
        async with self._uow_factory() as uow:
            deleted = await uow.models.delete_series(series)
            if not deleted:
                raise SeriesNotFound(series.value)
            await self._commit(uow, series)
        await self._remove_artifacts(deleted)
        return deleted

    async def _commit(self, uow: UnitOfWork, series: SeriesId) -> None:
        try:
            await uow.commit()
        finally:
            # Also when the commit failed: it may have been applied all the same.
            self._changes.mark(series)

    async def _remove_artifacts(self, versions: list[ModelVersion]) -> None:
        for version in versions:
            self._states.forget(version)
        await remove_quietly(
            self._artifacts, [ref for version in versions for ref in (version.model, version.data)]
        )
