"""Use case: one version's metadata and its model, read from the verified artifact."""

from dataclasses import dataclass

from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.ports.artifacts import ArtifactReader
from anomaly.ports.version_rows import VersionRows
from anomaly.use_cases.find_version import find_version


@dataclass(frozen=True, slots=True)
class VersionDetail:
    version: ModelVersion
    model: Model


class GetVersion:
    def __init__(self, rows: VersionRows, artifacts: ArtifactReader) -> None:
        self._rows = rows
        self._artifacts = artifacts

    async def __call__(self, series_id: str, version: int | None) -> VersionDetail:
        stored, model = await find_version(self._rows, self._artifacts, SeriesId(series_id), version)
        return VersionDetail(version=stored, model=model)
