"""Finding the version a request names (a pinned number, or the newest) and its model.

The row is read first and its artifact after it, so a delete committed in between removes the
file under us: a vanished artifact of a version no longer stored is that version being gone (404,
or the newest version left), not damage.
"""

import logging

from anomaly.domain.errors import SeriesNotFound, VersionNotFound
from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.ports.artifacts import ArtifactReader
from anomaly.ports.errors import ArtifactUnreadable, ModelUnreadable
from anomaly.ports.version_rows import VersionRows

logger = logging.getLogger(__name__)


async def find_row(rows: VersionRows, series_id: SeriesId, version: int | None) -> ModelVersion:
    found = await rows.latest(series_id) if version is None else await rows.get(series_id, version)
    if found is not None:
        return found
    if version is None or await rows.latest(series_id) is None:
        raise SeriesNotFound(series_id.value)
    raise VersionNotFound(series_id.value, version)


async def find_version(
    rows: VersionRows, artifacts: ArtifactReader, series_id: SeriesId, version: int | None
) -> tuple[ModelVersion, Model]:
    # Each turn of the loop follows a delete that committed meanwhile: it ends when one is found
    # whole, is found damaged, or the series or pinned version is gone.
    while True:
        stored = await find_row(rows, series_id, version)
        try:
            return stored, await artifacts.load_model(stored.model)
        except ArtifactUnreadable as error:
            await raise_if_still_stored(rows, stored, "model artifact", error)


async def raise_if_still_stored(
    rows: VersionRows, stored: ModelVersion, artifact: str, error: ArtifactUnreadable
) -> None:
    """`ModelUnreadable` if `stored` still exists, its artifact damaged; return if it was deleted."""
    if await rows.get(stored.series_id, stored.version) is None:
        return
    series, number = stored.series_id.value, stored.version
    logger.error("%s of version %d of %r: %s", artifact, number, series, error)
    raise ModelUnreadable(series, number, f"its {artifact} {error.reason}") from error
