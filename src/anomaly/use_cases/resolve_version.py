"""Finds the version a request names: a pinned number, or the newest stored one."""

from anomaly.domain.errors import SeriesNotFound, VersionNotFound
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.ports.model_repository import ModelRepository


async def resolve_version(models: ModelRepository, series_id: SeriesId, version: int | None) -> ModelVersion:
    """Always asks the database, so "latest" is right the moment a fit or a delete commits in any process."""
    found = await models.latest(series_id) if version is None else await models.get(series_id, version)
    if found is not None:
        return found
    if version is None or await models.latest(series_id) is None:
        raise SeriesNotFound(series_id.value)
    raise VersionNotFound(series_id.value, version)
