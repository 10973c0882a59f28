"""`POST /detect/{series_id}`: which of these points are normal?"""

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
from anomaly.adapters.http.requests.batch import read_batch_columns
from anomaly.adapters.http.requests.body import read_body
from anomaly.adapters.http.responses.verdicts import verdicts_response
from anomaly.adapters.http.schemas import DetectRequest, DetectResponse
from anomaly.adapters.http.services import services_of
from anomaly.domain.detection import DEFAULT_K, Threshold


class DetectController(Controller):
    tags = ["detection"]  # noqa: RUF012 (Litestar reads it as a plain attribute)

    @post(
        "/detect/{series_id:str}",
        status_code=200,
        operation_class=json_body(DetectRequest, examples.DETECT_BODY),
        responses={200: ok(DetectResponse, examples.DETECT), **errors(400, 404, 413, 422, 500, 503)},
        summary="Judge a batch of points",
        description=(
            "The batch has the shape of a training batch, but any number of points, whose timestamps "
            "may repeat or come out of order. Each point is judged against the version as it is, at "
            "its own time. The answer holds, per point and in request order, the verdict `anomaly`, "
            "the kind's raw `score`, the `anomaly_score` in [0, 1], the `expected` value and the band "
            "(`lower_bound`, `upper_bound`); and the number of points flagged."
        ),
    )
    async def detect(
        self,
        request: Request[Any, Any, State],
        series_id: SeriesPath,
        version: VersionQuery = None,
        k: KQuery = DEFAULT_K,
        direction: DirectionQuery = None,
        alert: AlertQuery = None,
    ) -> Response[bytes] | Stream:
        with latencies_of(request).inference.measure():
            batch = await read_batch_columns(await read_body(request))
            detection = await services_of(request).detect(
                series_id,
                optional_version(version),
                batch.timestamps,
                batch.values,
                Threshold(k=k, direction=direction, alert=alert),
            )
        stored = detection.version
        lower, upper = stored.summary.band(k)
        header = DetectResponse(
            series_id=series_id,
            model_version=stored.version,
            kind=stored.kind,
            points=int(detection.judgement.anomaly.shape[0]),
            anomalies=detection.judgement.flagged,
            lower=lower,
            upper=upper,
            mean=stored.summary.mean,
            std=stored.summary.std,
            anomaly=[],
            score=[],
            anomaly_score=[],
            expected=[],
            lower_bound=[],
            upper_bound=[],
        )
        return verdicts_response(header, detection.judgement)
