"""Request and response payloads, as msgspec Structs: the wire contract of the API."""

from datetime import datetime
from typing import Annotated, Any

import msgspec

from anomaly.adapters.http.requests.timestamps import TEXT_DESCRIPTION, TEXT_MAX_LENGTH, TEXT_PATTERN
from anomaly.domain.time_series import MAX_TIMESTAMP

Timestamp = Annotated[int, msgspec.Meta(ge=0, le=MAX_TIMESTAMP, description="Integer, e.g. Unix seconds")]
# JSON Schema counts 7.0 as an integer, and so does this API: a float with no fractional part, in
# range, is the integer it equals. Written as a float, a timestamp must be one float64 holds
# exactly (up to 2**53; larger ones are integers only, as their last digits would be lost): the
# bounds below see the float it was rounded to, `timestamps.timestamp_value` the digits written.
WholeFloat = Annotated[float, msgspec.Meta(ge=0, le=float(2**53), multiple_of=1)]
# The pattern documents the rule; the service checks it itself, to name the element at fault.
TextTimestamp = Annotated[
    str,
    msgspec.Meta(
        max_length=TEXT_MAX_LENGTH, description=TEXT_DESCRIPTION, extra_json_schema={"pattern": TEXT_PATTERN}
    ),
]


class DetectRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A batch of points: `timestamps[i]` is when `values[i]` was observed."""

    timestamps: list[Timestamp | WholeFloat | TextTimestamp]
    values: list[float]


class WholeTimestampsRequest(msgspec.Struct, forbid_unknown_fields=True):
    """DetectRequest as nearly every client sends it, integers only: decoded first, as it is the faster."""

    timestamps: list[Timestamp]
    values: list[float]


KindName = Annotated[
    str, msgspec.Meta(description="The model kind: `gaussian` (the default), `robust` or `seasonal`.")
]
KindParameters = Annotated[
    dict[str, Any], msgspec.Meta(description="The kind's parameters by name; each has a default.")
]


class FitRequest(DetectRequest):
    """A training batch, and the model to fit to it."""

    kind: KindName | None = None
    parameters: KindParameters | None = None


class WholeTimestampsFit(WholeTimestampsRequest, omit_defaults=True):
    """FitRequest with integer timestamps: decoded first, as it is the faster."""

    kind: str | None = None
    parameters: dict[str, Any] | None = None


# Keys a batch body holds exactly once; the model's keys at most once.
BATCH_KEYS = DetectRequest.__struct_fields__
MODEL_KEYS = ("kind", "parameters")


class FitResponse(msgspec.Struct):
    series_id: str
    success: bool
    message: str
    version: int
    points_used: int


class ErrorResponse(msgspec.Struct):
    """Every failure, ours or the client's, answers in this shape."""

    success: bool
    error: str
    message: str
    field: str | None = None
    series_id: str | None = None


class PredictRequest(msgspec.Struct, forbid_unknown_fields=True):
    """One observation; the timestamp may also be a string, as some clients send it."""

    timestamp: Timestamp | WholeFloat | TextTimestamp
    value: float


class PredictResponse(msgspec.Struct):
    anomaly: bool
    model_version: int
    score: float | None
    lower: float
    upper: float
    mean: float
    std: float
    expected: float
    anomaly_score: float
    kind: str


class DetectResponse(msgspec.Struct):
    """Per-point verdicts as columns, aligned with the request's `values`; `lower`, `upper`, `mean`
    and `std` describe the model as a whole, the columns each point at its own time."""

    series_id: str
    model_version: int
    kind: str
    points: int
    anomalies: int
    lower: float
    upper: float
    mean: float
    std: float
    anomaly: list[bool]
    score: list[float | None]
    anomaly_score: list[float]
    expected: list[float]
    lower_bound: list[float]
    upper_bound: list[float]


class UpdateResponse(msgspec.Struct):
    """The version an update recorded, and the new points judged against the version they were
    folded into, as `DetectResponse`'s columns."""

    series_id: str
    success: bool
    message: str
    version: int
    based_on: int
    kind: str
    points_used: int
    points: int
    anomalies: int
    anomaly: list[bool]
    score: list[float | None]
    anomaly_score: list[float]
    expected: list[float]
    lower_bound: list[float]
    upper_bound: list[float]


class SeriesItem(msgspec.Struct):
    series_id: str
    latest_version: int
    versions: int


class SeriesPage(msgspec.Struct):
    items: list[SeriesItem]
    total: int
    limit: int
    offset: int


class VersionItem(msgspec.Struct):
    version: int
    created_at: datetime
    points_used: int
    first_timestamp: int
    last_timestamp: int
    mean: float
    std: float
    kind: str


class VersionPage(msgspec.Struct):
    series_id: str
    items: list[VersionItem]
    total: int
    limit: int
    offset: int


class ArtifactInfo(msgspec.Struct):
    sha256: str
    size: int


class VersionDetailResponse(msgspec.Struct):
    series_id: str
    version: int
    created_at: datetime
    updated_at: datetime
    # The kind of model the version is, and the parameters it was fitted with.
    kind: str
    parameters: dict[str, Any]
    # The model's state; its fields depend on the kind (a gaussian model: mean, std, points_used,
    # minimum, maximum, first_timestamp, last_timestamp).
    model: dict[str, Any]
    model_artifact: ArtifactInfo
    data_artifact: ArtifactInfo


class DeleteResponse(msgspec.Struct):
    series_id: str
    success: bool
    message: str
    deleted_versions: list[int]


class Latency(msgspec.Struct):
    avg: float
    p95: float


class HealthcheckResponse(msgspec.Struct):
    series_trained: int
    inference_latency_ms: Latency
    training_latency_ms: Latency


class ProbeResponse(msgspec.Struct, omit_defaults=True):
    status: str
    message: str | None = None
