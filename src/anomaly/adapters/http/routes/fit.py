"""`POST /fit/{series_id}`: train a new version of a series' model."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.params import HeaderParameter

from anomaly.adapters.http.hooks.api_keys import caller_of
from anomaly.adapters.http.latency import latencies_of
from anomaly.adapters.http.openapi import examples
from anomaly.adapters.http.openapi.operations import errors, json_body, ok
from anomaly.adapters.http.parameters import SeriesPath
from anomaly.adapters.http.requests.body import read_body
from anomaly.adapters.http.requests.headers import single_header
from anomaly.adapters.http.responses.fit import fit_response, render_fit
from anomaly.adapters.http.schemas import FitRequest, FitResponse
from anomaly.adapters.http.services import services_of
from anomaly.domain.idempotency import fingerprint, parse_key
from anomaly.use_cases.fit_model import FitCommand

# The header of the IETF httpapi draft, which names one attempt at one request.
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"


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
            "Validates the batch, fits a model of the kind it names (`gaussian` by default: mean and "
            "population standard deviation; `robust`; `seasonal`) with the parameters it names, stores "
            "the model and the training data, and records them as the series' next version. Body: "
            '`{"timestamps": [int, ...], "values": [float, ...], "kind": ..., "parameters": {...}}`, '
            "strictly increasing timestamps."
        ),
    )
    async def fit(
        self,
        request: Request[Any, Any, Any],
        series_id: SeriesPath,
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name=IDEMPOTENCY_KEY_HEADER,
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
            if idempotency_key is not None:
                # Litestar hands over the first of several; two keys name no one attempt.
                idempotency_key = single_header(request, IDEMPOTENCY_KEY_HEADER)
            if idempotency_key is None:
                return fit_response(200, render_fit(await services_of(request).fit_model(command)))
            reply = await services_of(request).idempotent_fit(
                caller_of(request),
                parse_key(idempotency_key, IDEMPOTENCY_KEY_HEADER),
                fingerprint(b"POST /fit/", series_id.encode(), command.batch),
                command,
                render_fit,
            )
            return fit_response(200, reply.content, replayed=reply.replayed)
