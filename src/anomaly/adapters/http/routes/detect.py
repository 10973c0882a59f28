"""`POST /detect/{series_id}`: which of these points are normal?"""

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.datastructures import State
from litestar.response import Stream

from anomaly.adapters.http.latency import latencies_of
from anomaly.adapters.http.openapi import examples
from anomaly.adapters.http.openapi.operations import errors, json_body, ok
from anomaly.adapters.http.parameters import (
    DirectionQuery,
    KQuery,
    SeriesPath,
    VersionQuery,
    optional_version,
)
from anomaly.adapters.http.requests.batch import read_batch_columns
from anomaly.adapters.http.requests.body import read_body
from anomaly.adapters.http.responses.detect import detect_response
from anomaly.adapters.http.schemas import DetectResponse, FitRequest
from anomaly.adapters.http.services import services_of
from anomaly.domain.detection import DEFAULT_K, Direction, Threshold


class DetectController(Controller):
    tags = ["detection"]  # noqa: RUF012 (Litestar reads it as a plain attribute)

    @post(
        "/detect/{series_id:str}",
        status_code=200,
        operation_class=json_body(FitRequest, examples.DETECT_BODY),
        responses={200: ok(DetectResponse, examples.DETECT), **errors(400, 404, 413, 422, 500, 503)},
        summary="Judge a batch of points",
        description=(
            "The batch has the shape of a training batch (any number of points, strictly increasing "
            "timestamps). The answer holds one `anomaly` and one `score` per point, in request order, "
            "and the number of points flagged."
        ),
    )
    async def detect(
        self,
        request: Request[Any, Any, State],
        series_id: SeriesPath,
        version: VersionQuery = None,
        k: KQuery = DEFAULT_K,
        direction: DirectionQuery = Direction.UP,
    ) -> Response[bytes] | Stream:
        with latencies_of(request).inference.measure():
            batch = await read_batch_columns(await read_body(request))
            detection = await services_of(request).detect(
                series_id,
                optional_version(version),
                batch.timestamps,
                batch.values,
                Threshold(k=k, direction=direction),
            )
        return detect_response(series_id, detection)
