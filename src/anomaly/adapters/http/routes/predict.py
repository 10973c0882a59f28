"""`POST /predict/{series_id}`: is this point normal?"""

from typing import Any

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import State

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
from anomaly.adapters.http.requests.point import read_point
from anomaly.adapters.http.responses.json_answer import JsonAnswer
from anomaly.adapters.http.schemas import PredictRequest, PredictResponse
from anomaly.adapters.http.services import services_of
from anomaly.domain.detection import DEFAULT_K, Threshold


class PredictController(Controller):
    tags = ["detection"]  # noqa: RUF012 (Litestar reads it as a plain attribute)

    @post(
        "/predict/{series_id:str}",
        status_code=200,
        operation_class=json_body(PredictRequest, examples.PREDICT_BODY),
        responses={200: ok(PredictResponse, examples.PREDICT), **errors(400, 404, 422, 500, 503)},
        summary="Judge one point",
        description=(
            "Compares one observation with the series' latest model version, or the one named by "
            "`version`, at the observation's time. For `gaussian` the default rule is the seed "
            "model's, `value > mean + 3 * std`, and `score` the z-score `(value - mean) / std`, null "
            "when undefined (a model fitted on constant values has std 0: then any value other than "
            "the mean on the tested side is an anomaly). `robust` and `seasonal` flag a point whose "
            "`anomaly_score` reaches `alert`. Every answer gives the `expected` value, the band "
            "(`lower`, `upper`) and an `anomaly_score` in [0, 1]."
        ),
    )
    async def predict(
        self,
        request: Request[Any, Any, State],
        series_id: SeriesPath,
        version: VersionQuery = None,
        k: KQuery = DEFAULT_K,
        direction: DirectionQuery = None,
        alert: AlertQuery = None,
    ) -> JsonAnswer:
        with latencies_of(request).inference.measure():
            timestamp, value = await read_point(await read_body(request))
            prediction = await services_of(request).predict(
                series_id,
                optional_version(version),
                timestamp,
                value,
                Threshold(k=k, direction=direction, alert=alert),
            )
        judgement, stored = prediction.judgement, prediction.version
        answer = PredictResponse(
            anomaly=judgement.anomaly,
            model_version=stored.version,
            score=judgement.score,
            lower=judgement.lower,
            upper=judgement.upper,
            mean=stored.summary.mean,
            std=stored.summary.std,
            expected=judgement.expected,
            anomaly_score=judgement.anomaly_score,
            kind=stored.kind,
        )
        # Encoded here and answered as bare ASGI messages: Litestar's Response machinery (headers,
        # cookies, type encoders) cost more than the whole prediction.
        return JsonAnswer(msgspec.json.encode(answer))
