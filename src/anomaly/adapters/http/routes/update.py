"""`POST /update/{series_id}`: judge new points, then fold them into the model as its next version."""

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.datastructures import State
from litestar.response import Stream

from anomaly.adapters.http.latency import latencies_of
from anomaly.adapters.http.openapi import examples
from anomaly.adapters.http.openapi.operations import errors, json_body, ok
from anomaly.adapters.http.parameters import (
    AlertQuery,
    DirectionQuery,
    KQuery,
    SeriesPath,
    VersionQuery,
    optional_version,
)
from anomaly.adapters.http.requests.body import read_body
from anomaly.adapters.http.responses.verdicts import verdicts_response
from anomaly.adapters.http.schemas import DetectRequest, UpdateResponse
from anomaly.adapters.http.services import services_of
from anomaly.domain.detection import DEFAULT_K, Threshold
from anomaly.use_cases.update_model import UpdateCommand


class UpdateController(Controller):
    tags = ["training"]  # noqa: RUF012 (Litestar reads it as a plain attribute)

    @post(
        "/update/{series_id:str}",
        status_code=200,
        operation_class=json_body(DetectRequest, examples.DETECT_BODY),
        responses={
            200: ok(UpdateResponse, examples.UPDATE),
            **errors(400, 404, 409, 413, 422, 500, 503, 507),
        },
        summary="Judge new points and fold them into the model",
        description=(
            "The stream loop in one round trip. The points (any number from one; timestamps may repeat "
            "or step back) are judged against the series' newest version, or the one named by "
            "`version`, exactly as `/detect` would judge them; then they are learnt, in the order sent, "
            "and the result is recorded as the series' next version, with the same kind and parameters. "
            "The cost depends on the new points only. Without `version`, the update is recorded only "
            "while the version it read is still the newest: if another version was recorded meanwhile "
            "the answer is `409 version_conflict` and nothing is kept, so concurrent updates never drop "
            "each other's points. The version's training data is the points of this update."
        ),
    )
    async def update(
        self,
        request: Request[Any, Any, State],
        series_id: SeriesPath,
        version: VersionQuery = None,
        k: KQuery = DEFAULT_K,
        direction: DirectionQuery = None,
        alert: AlertQuery = None,
    ) -> Response[bytes] | Stream:
        with latencies_of(request).training.measure():
            command = UpdateCommand(
                series_id=series_id,
                version=optional_version(version),
                batch=await read_body(request),
                threshold=Threshold(k=k, direction=direction, alert=alert),
            )
            update = await services_of(request).update_model(command)
        judgement, recorded = update.judgement, update.version
        header = UpdateResponse(
            series_id=series_id,
            success=True,
            message=(
                f"{judgement.anomaly.shape[0]} points folded into version {update.based_on.version} "
                f"and stored as version {recorded.version}."
            ),
            version=recorded.version,
            based_on=update.based_on.version,
            kind=recorded.kind,
            points_used=recorded.summary.points_used,
            points=int(judgement.anomaly.shape[0]),
            anomalies=judgement.flagged,
            anomaly=[],
            score=[],
            anomaly_score=[],
            expected=[],
            lower_bound=[],
            upper_bound=[],
        )
        return verdicts_response(header, judgement)
