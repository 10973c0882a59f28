"""Use case: a version's training data as it was stored, with its model, for plotting."""

from dataclasses import dataclass

from anomaly.domain.model_kind import Model
from anomaly.domain.series_id import SeriesId
from anomaly.ports.artifacts import ArtifactReader
from anomaly.ports.errors import ArtifactUnreadable
from anomaly.ports.version_rows import VersionRows
from anomaly.use_cases.find_version import find_version, raise_if_still_stored


@dataclass(frozen=True, slots=True)
class TrainingData:
    series_id: str
    version: int
    model: Model
    content: bytes  # the serialised batch the version was fitted on


class GetTrainingData:
    def __init__(self, rows: VersionRows, artifacts: ArtifactReader) -> None:
        self._rows = rows
        self._artifacts = artifacts

    async def __call__(self, series_id: str, version: int | None) -> TrainingData:
        series = SeriesId(series_id)
        # As in find_version: a version deleted while it is read is looked for again.
        while True:
            stored, model = await find_version(self._rows, self._artifacts, series, version)
            try:
                content = await self._artifacts.load(stored.data)
            except ArtifactUnreadable as error:
                await raise_if_still_stored(self._rows, stored, "training data", error)
                continue
            return TrainingData(series_id=series.value, version=stored.version, model=model, content=content)
