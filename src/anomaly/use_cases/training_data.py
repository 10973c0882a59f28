"""Use case: a version's training data as it was stored, with its model state, for plotting."""

import logging
from dataclasses import dataclass

from anomaly.domain.errors import VersionNotFound
from anomaly.domain.model import ModelState
from anomaly.domain.series_id import SeriesId
from anomaly.ports.artifact_store import ArtifactStore
from anomaly.ports.errors import ArtifactUnreadable
from anomaly.use_cases.errors import ModelUnreadable
from anomaly.use_cases.resolve_version import VersionLookup

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TrainingData:
    series_id: str
    version: int
    state: ModelState
    content: bytes  # the serialised batch the version was fitted on


class GetTrainingData:
    def __init__(self, versions: VersionLookup, artifacts: ArtifactStore) -> None:
        self._versions = versions
        self._artifacts = artifacts

    async def __call__(self, series_id: str, version: int | None) -> TrainingData:
        series = SeriesId(series_id)
        stored, state = await self._versions.load(series, version)
        try:
            content = await self._artifacts.load(stored.data)
        except ArtifactUnreadable as error:
            if not await self._versions.still_stored(stored):
                raise VersionNotFound(series.value, stored.version) from error
            logger.error("training data of version %d of %r: %s", stored.version, series.value, error)
            raise ModelUnreadable(
                series.value, stored.version, f"its training data {error.reason}"
            ) from error
        return TrainingData(series_id=series.value, version=stored.version, state=state, content=content)
