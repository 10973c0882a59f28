"""`POST /update/{series_id}`: judge new points, then fold them into the model as its next version."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.datastructures import State
from litestar.params import HeaderParameter
from litestar.response import Stream

from anomaly.adapters.http.hooks.api_keys import caller_of
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
from anomaly.adapters.http.requests.headers import single_header
from anomaly.adapters.http.responses.update import kept_update_response, render_update, update_response
from anomaly.adapters.http.routes.fit import IDEMPOTENCY_KEY_HEADER
from anomaly.adapters.http.schemas import DetectRequest, UpdateResponse
from anomaly.adapters.http.services import services_of
from anomaly.domain.detection import DEFAULT_K, Threshold
from anomaly.domain.idempotency import fingerprint, parse_key
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
            "each other's points. The version's training data is the points of this update. An "
            "`Idempotency-Key` makes a retry safe, as for a fit."
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
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name=IDEMPOTENCY_KEY_HEADER,
                description=(
                    "Makes retries safe: a retry with the same key and body gets the first response again "
                    "(header `Idempotent-Replayed: true`), and the points are folded in only once."
                ),
            ),
        ] = None,
    ) -> Response[bytes] | Stream:
        with latencies_of(request).training.measure():
            command = UpdateCommand(
                series_id=series_id,
                version=optional_version(version),
                batch=await read_body(request),
                threshold=Threshold(k=k, direction=direction, alert=alert),
            )
            if idempotency_key is not None:
                # Litestar hands over the first of several; two keys name no one attempt.
                idempotency_key = single_header(request, IDEMPOTENCY_KEY_HEADER)
            if idempotency_key is None:
                return update_response(await services_of(request).update_model(command))
            reply = await services_of(request).idempotent_update(
                caller_of(request),
                parse_key(idempotency_key, IDEMPOTENCY_KEY_HEADER),
                # The query is part of the request: the same points judged another way are another request.
                fingerprint(b"POST /update/", series_id.encode(), request.url.query.encode(), command.batch),
                command,
                render_update,
            )
            return kept_update_response(reply.content, replayed=reply.replayed)
