"""`POST /fit/{series_id}`: train a new version of a series' model."""

from typing import Annotated, Any

import msgspec
from litestar import Controller, MediaType, Request, Response, post
from litestar.di import NamedDependency
from litestar.params import HeaderParameter

from anomaly.adapters.http import examples
from anomaly.adapters.http.auth import caller_of
from anomaly.adapters.http.body_buffer import read_body
from anomaly.adapters.http.latency import latencies_of
from anomaly.adapters.http.openapi import errors, json_body, ok
from anomaly.adapters.http.parameters import SeriesPath
from anomaly.adapters.http.schemas import FitRequest, FitResponse
from anomaly.domain.idempotency import fingerprint, parse_key
from anomaly.domain.model_version import ModelVersion
from anomaly.use_cases.fit_model import FitCommand, FitModel
from anomaly.use_cases.idempotent_fit import IdempotentFit

HEADER = "Idempotency-Key"


class FitController(Controller):
    path = "/fit"
    tags = ["training"]  # noqa: RUF012 (Litestar reads it as a plain attribute)

    @post(
        "/{series_id:str}",
        status_code=200,
        operation_class=json_body(FitRequest, examples.FIT_BODY),
        responses={200: ok(FitResponse, examples.FIT), **errors(400, 409, 413, 422, 500, 503, 507)},
        summary="Fit a new model version",
        description=(
            "Validates the batch, fits the series' model (mean and population standard deviation), stores "
            "the model state and the training data, and records them as the series' next version. "
            'Body: `{"timestamps": [int, ...], "values": [float, ...]}`, strictly increasing timestamps.'
        ),
    )
    async def fit(
        self,
        request: Request[Any, Any, Any],
        series_id: SeriesPath,
        fit_model: NamedDependency[FitModel],
        idempotent_fit: NamedDependency[IdempotentFit],
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name=HEADER,
                description=(
                    "Makes retries safe: a retry with the same key and body gets the first response again "
                    "(header `Idempotent-Replayed: true`) and creates no version. Keys live 24 hours."
                ),
            ),
        ] = None,
    ) -> Response[bytes]:
        with latencies_of(request).training.measure():
            # The body is read by this edge rather than by the framework, and decoded by the use case
            # through JsonBatchReader, so that types are checked strictly (no "3" for 3) and the bytes,
            # once valid, are stored unchanged as the training data.
            command = FitCommand(series_id=series_id, batch=await read_body(request))
            if idempotency_key is None:
                return _json(200, _render(await fit_model(command)))
            reply = await idempotent_fit(
                caller_of(request),
                parse_key(idempotency_key, HEADER),
                fingerprint(b"POST /fit/", series_id.encode(), command.batch),
                command,
                _render,
            )
            headers = {"Idempotent-Replayed": "true"} if reply.replayed else None
            return _json(200, reply.content, headers)


def _render(version: ModelVersion) -> bytes:
    return msgspec.json.encode(
        FitResponse(
            series_id=version.series_id.value,
            success=True,
            message=f"Model trained and stored as version {version.version}.",
            version=version.version,
            points_used=version.state.points_used,
        )
    )


def _json(status: int, body: bytes, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)
