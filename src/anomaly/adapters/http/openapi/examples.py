"""Example payloads shown in the OpenAPI document, one per request and response shape."""

from datetime import UTC, datetime

from anomaly.adapters.http.schemas import (
    ArtifactInfo,
    DeleteResponse,
    DetectResponse,
    FitResponse,
    HealthcheckResponse,
    Latency,
    PredictResponse,
    ProbeResponse,
    SeriesItem,
    SeriesPage,
    UpdateResponse,
    VersionDetailResponse,
    VersionItem,
    VersionPage,
)

CREATED = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

FIT_BODY = {
    "timestamps": [1705000000, 1705000060, 1705000120, 1705000180],
    "values": [10.0, 10.4, 9.7, 10.1],
    "kind": "seasonal",
    "parameters": {"period": "day"},
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
    anomaly=True,
    model_version=7,
    score=4.76,
    lower=8.11,
    upper=11.89,
    mean=10.0,
    std=0.63,
    expected=10.0,
    anomaly_score=0.61,
    kind="gaussian",
)
DETECT_BODY = {"timestamps": [1705000000, 1705000060, 1705000120], "values": [10.2, 13.0, 9.9]}
DETECT = DetectResponse(
    series_id="cpu",
    model_version=7,
    kind="gaussian",
    points=3,
    anomalies=1,
    lower=8.11,
    upper=11.89,
    mean=10.0,
    std=0.63,
    anomaly=[False, True, False],
    score=[0.32, 4.76, -0.16],
    anomaly_score=[0.1, 0.61, 0.05],
    expected=[10.0, 10.0, 10.0],
    lower_bound=[8.11, 8.11, 8.11],
    upper_bound=[11.89, 11.89, 11.89],
)
UPDATE = UpdateResponse(
    series_id="cpu",
    success=True,
    message="3 points folded into version 7 and stored as version 8.",
    version=8,
    based_on=7,
    kind="seasonal",
    points_used=1443,
    points=3,
    anomalies=1,
    anomaly=[False, True, False],
    score=[0.02, 0.74, 0.01],
    anomaly_score=[0.05, 0.93, 0.04],
    expected=[10.1, 10.2, 10.2],
    lower_bound=[8.2, 8.3, 8.3],
    upper_bound=[12.0, 12.1, 12.1],
)
SERIES = SeriesPage(
    items=[SeriesItem(series_id="cpu", latest_version=7, versions=3)], total=1, limit=50, offset=0
)
MODEL = {
    "mean": 10.0,
    "std": 0.63,
    "points_used": 1440,
    "minimum": 8.4,
    "maximum": 11.7,
    "first_timestamp": 1705000000,
    "last_timestamp": 1705086340,
}
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
    parameters={"half_life": None},
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
