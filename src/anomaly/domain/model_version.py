"""The metadata of one immutable, numbered fit of a series."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from anomaly.domain.kinds import DEFAULT_KIND
from anomaly.domain.model_kind import ModelSummary
from anomaly.domain.series_id import SeriesId


@dataclass(frozen=True, slots=True)
class ArtifactRef:
    """Where an artifact lives and how to tell it is intact."""

    location: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class ModelVersion:
    """One row of the model registry: a version, its artifacts and a summary of the model."""

    series_id: SeriesId
    version: int
    model: ArtifactRef
    data: ArtifactRef
    summary: ModelSummary
    created_at: datetime
    updated_at: datetime
    kind: str = DEFAULT_KIND
    # The kind's parameters, every one spelt out, JSON values only.
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class VersionDraft:
    """A fit ready to be recorded: everything its version holds but the number, which the registry gives."""

    series_id: SeriesId
    model: ArtifactRef
    data: ArtifactRef
    summary: ModelSummary
    created_at: datetime
    kind: str = DEFAULT_KIND
    parameters: dict[str, Any] = field(default_factory=dict)
    # Set by an update of the newest version: record only while that version is still the newest
    # (else `VersionConflict`), so that concurrent updates cannot drop each other's points.
    follows: int | None = None

    def numbered(self, version: int) -> ModelVersion:
        return ModelVersion(
            series_id=self.series_id,
            version=version,
            model=self.model,
            data=self.data,
            summary=self.summary,
            created_at=self.created_at,
            updated_at=self.created_at,
            kind=self.kind,
            parameters=self.parameters,
        )


@dataclass(frozen=True, slots=True)
class SeriesSummary:
    """A series as the registry sees it: how many versions it keeps and which is the newest."""

    series_id: SeriesId
    latest_version: int
    versions: int


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file found in artifact storage: a finished artifact, or a temporary one left by a crash."""

    series_id: SeriesId
    location: str
    modified_at: datetime
    temporary: bool
