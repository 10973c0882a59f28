"""Use case: one version's metadata and its model state, read from the verified artifact."""

from dataclasses import dataclass

from anomaly.domain.model import ModelState
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.use_cases.resolve_version import VersionLookup


@dataclass(frozen=True, slots=True)
class VersionDetail:
    version: ModelVersion
    state: ModelState


class GetVersion:
    def __init__(self, versions: VersionLookup) -> None:
        self._versions = versions

    async def __call__(self, series_id: str, version: int | None) -> VersionDetail:
        stored, state = await self._versions.load(SeriesId(series_id), version)
        return VersionDetail(version=stored, state=state)
