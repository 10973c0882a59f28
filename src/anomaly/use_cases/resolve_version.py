"""Finds the version a request names (a pinned number, or the newest stored one) and its model state."""

from anomaly.domain.errors import SeriesNotFound, VersionNotFound
from anomaly.domain.model import ModelState
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.ports.model_repository import ModelRepository
from anomaly.ports.unit_of_work import UnitOfWorkFactory
from anomaly.use_cases.errors import ModelUnreadable
from anomaly.use_cases.model_states import ModelStates


async def resolve_version(models: ModelRepository, series_id: SeriesId, version: int | None) -> ModelVersion:
    """Always asks the database, so "latest" is right the moment a fit or a delete commits in any process."""
    found = await models.latest(series_id) if version is None else await models.get(series_id, version)
    if found is not None:
        return found
    if version is None or await models.latest(series_id) is None:
        raise SeriesNotFound(series_id.value)
    raise VersionNotFound(series_id.value, version)


async def load_version(
    uow_factory: UnitOfWorkFactory, states: ModelStates, series_id: SeriesId, version: int | None
) -> tuple[ModelVersion, ModelState]:
    """The version and its model state.

    The row is read in one transaction and the artifact after it, so a delete committed in between
    removes the file under us: that is the version being gone (404, or the new latest), not damage.
    """
    async with uow_factory() as uow:
        stored = await resolve_version(uow.models, series_id, version)
    try:
        return stored, await states.load(stored)
    except ModelUnreadable:
        if await still_stored(uow_factory, stored):
            raise
    async with uow_factory() as uow:
        stored = await resolve_version(uow.models, series_id, version)
    return stored, await states.load(stored)


async def still_stored(uow_factory: UnitOfWorkFactory, version: ModelVersion) -> bool:
    async with uow_factory() as uow:
        return await uow.models.get(version.series_id, version.version) is not None
