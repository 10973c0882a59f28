"""Example payloads shown in the OpenAPI document, one per request and response shape."""

from datetime import UTC, datetime

from anomaly.adapters.http.schemas import (
    ArtifactInfo,
    DeleteResponse,
    DetectResponse,
    FitResponse,
    HealthcheckResponse,
    Latency,
    ModelStateBody,
    PredictResponse,
    ProbeResponse,
    SeriesItem,
    SeriesPage,
    VersionDetailResponse,
    VersionItem,
    VersionPage,
)

CREATED = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

FIT_BODY = {
    "timestamps": [1705000000, 1705000060, 1705000120, 1705000180],
    "values": [10.0, 10.4, 9.7, 10.1],
}
FIT = FitResponse(
    series_id="cpu",
    success=True,
    message="Model trained and stored as version 7.",
    version=7,
    points_used=1440,
)
PREDICT_BODY = {"timestamp": 1705000010, "value": 13.0}
PREDICT = PredictResponse(
    anomaly=True, model_version=7, score=4.76, lower=8.11, upper=11.89, mean=10.0, std=0.63
)
DETECT_BODY = {"timestamps": [1705000000, 1705000060, 1705000120], "values": [10.2, 13.0, 9.9]}
DETECT = DetectResponse(
    series_id="cpu",
    model_version=7,
    points=3,
    anomalies=1,
    lower=8.11,
    upper=11.89,
    mean=10.0,
    std=0.63,
    anomaly=[False, True, False],
    score=[0.32, 4.76, -0.16],
)
SERIES = SeriesPage(
    items=[SeriesItem(series_id="cpu", latest_version=7, versions=3)], total=1, limit=50, offset=0
)
MODEL = ModelStateBody(
    mean=10.0,
    std=0.63,
    points_used=1440,
    minimum=8.4,
    maximum=11.7,
    first_timestamp=1705000000,
    last_timestamp=1705086340,
)
VERSIONS = VersionPage(
    series_id="cpu",
    items=[
        VersionItem(
            version=7,
            created_at=CREATED,
            points_used=1440,
            first_timestamp=1705000000,
            last_timestamp=1705086340,
            mean=10.0,
            std=0.63,
            kind="gaussian",
        )
    ],
    total=1,
    limit=50,
    offset=0,
)
VERSION = VersionDetailResponse(
    series_id="cpu",
    version=7,
    created_at=CREATED,
    updated_at=CREATED,
    kind="gaussian",
    parameters={},
    model=MODEL,
    model_artifact=ArtifactInfo(sha256="9f2c" + "0" * 60, size=212),
    data_artifact=ArtifactInfo(sha256="51ab" + "0" * 60, size=31_680),
)
DELETED = DeleteResponse(
    series_id="cpu", success=True, message="Deleted 1 version of series 'cpu'.", deleted_versions=[7]
)
HEALTHCHECK = HealthcheckResponse(
    series_trained=12,
    inference_latency_ms=Latency(avg=0.8, p95=1.9),
    training_latency_ms=Latency(avg=6.1, p95=14.2),
)
PROBE_OK = ProbeResponse(status="ok")
