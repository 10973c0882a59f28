"""The answer to `POST /fit`: the reply rendered once, sent now and kept for an idempotent replay."""

import msgspec
from litestar import MediaType, Response

from anomaly.adapters.http.schemas import FitResponse
from anomaly.domain.model_version import ModelVersion

# Marks a response given again to a retry under the same Idempotency-Key.
REPLAYED_HEADER = "Idempotent-Replayed"


def render_fit(version: ModelVersion) -> bytes:
    """The reply's body; the idempotent fit stores these bytes, so a replay is the same byte for byte."""
    return msgspec.json.encode(
        FitResponse(
            series_id=version.series_id.value,
            success=True,
            message=f"Model trained and stored as version {version.version}.",
            version=version.version,
            points_used=version.summary.points_used,
        )
    )


def fit_response(status: int, body: bytes, *, replayed: bool = False) -> Response[bytes]:
    headers = {REPLAYED_HEADER: "true"} if replayed else None
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)
