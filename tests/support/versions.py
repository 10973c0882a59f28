"""Versions as a registry stores them, with every field at an edge of its range."""

from datetime import UTC, datetime

from anomaly.domain.model import ModelState
from anomaly.domain.model_version import ArtifactRef, ModelVersion, VersionDraft
from anomaly.domain.series_id import SeriesId

CREATED = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)


def make_draft(series: str, mean: float = 10.0) -> VersionDraft:
    return VersionDraft(
        series_id=SeriesId(series),
        model=ArtifactRef(location=f"/models/{series}/m.json", sha256="a" * 64, size=120),
        data=ArtifactRef(location=f"/data/{series}/d.json", sha256="b" * 64, size=2**40),
        state=ModelState(
            mean=mean,
            std=0.1 + 2**-40,
            points_used=1440,
            minimum=-1e308,
            maximum=1e308,
            first_timestamp=0,
            last_timestamp=2**63 - 1,
        ),
        created_at=CREATED,
    )


def make_version(series: str, version: int) -> ModelVersion:
    return make_draft(series).numbered(version)
