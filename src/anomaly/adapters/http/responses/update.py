"""The answer to `POST /update`: the version recorded and the new points' verdicts."""

from litestar import MediaType, Response
from litestar.response import Stream

from anomaly.adapters.http.responses.fit import REPLAYED_HEADER
from anomaly.adapters.http.responses.verdicts import encode_verdicts, verdicts_response
from anomaly.adapters.http.schemas import UpdateResponse
from anomaly.use_cases.update_model import Update


def update_response(update: Update) -> Response[bytes] | Stream:
    return verdicts_response(_header(update), update.judgement)


def render_update(update: Update) -> bytes:
    """The whole reply at once, for an idempotent update to keep; the same bytes `update_response` sends."""
    return b"".join(encode_verdicts(_header(update), update.judgement))


def kept_update_response(content: bytes, *, replayed: bool) -> Response[bytes]:
    headers = {REPLAYED_HEADER: "true"} if replayed else None
    return Response(content, media_type=MediaType.JSON, headers=headers)


def _header(update: Update) -> UpdateResponse:
    judgement, recorded = update.judgement, update.version
    points = int(judgement.anomaly.shape[0])
    return UpdateResponse(
        series_id=recorded.series_id.value,
        success=True,
        message=(
            f"{points} points folded into version {update.based_on.version} "
            f"and stored as version {recorded.version}."
        ),
        version=recorded.version,
        based_on=update.based_on.version,
        kind=recorded.kind,
        points_used=recorded.summary.points_used,
        points=points,
        anomalies=judgement.flagged,
        anomaly=[],
        score=[],
        anomaly_score=[],
        expected=[],
        lower_bound=[],
        upper_bound=[],
    )
