"""Versions as a registry stores them, with every field at an edge of its range, and their models."""

from datetime import UTC, datetime

from anomaly.domain.kinds.gaussian.model import GaussianModel
from anomaly.domain.kinds.gaussian.state import GaussianState
from anomaly.domain.model_kind import Document, Model
from anomaly.domain.model_version import ArtifactRef, ModelVersion, VersionDraft
from anomaly.domain.series_id import SeriesId

CREATED = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)


def make_model(mean: float = 10.0) -> GaussianModel:
    """A gaussian model with every field at an edge of its range, as `make_draft` summarises it."""
    return GaussianModel(
        GaussianState(
            mean=mean,
            std=0.1 + 2**-40,
            points_used=1440,
            minimum=-1e308,
            maximum=1e308,
            first_timestamp=0,
            last_timestamp=2**63 - 1,
            weight=1440.0,
        ),
        half_life=None,
    )


def make_draft(series: str, mean: float = 10.0) -> VersionDraft:
    model = make_model(mean)
    return VersionDraft(
        series_id=SeriesId(series),
        model=ArtifactRef(location=f"/models/{series}/m.json", sha256="a" * 64, size=120),
        data=ArtifactRef(location=f"/data/{series}/d.json", sha256="b" * 64, size=2**40),
        summary=model.summary(),
        created_at=CREATED,
        kind=model.kind,
        parameters=model.parameters,
    )


def make_version(series: str, version: int) -> ModelVersion:
    return make_draft(series).numbered(version)


def described(model: Model) -> tuple[str, Document, Document]:
    """Everything that makes a model what it is: two models are the same when these are equal."""
    return model.kind, model.parameters, model.state()
