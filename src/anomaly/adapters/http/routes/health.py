"""Operators' endpoints: liveness, readiness and recent latencies."""

import logging
from typing import Any

from litestar import Controller, HttpMethod, Request, Response, get, route
from litestar.datastructures import State
from litestar.types import Method, OperationIDCreator

from anomaly.adapters.http.draining import Drain
from anomaly.adapters.http.hooks.api_keys import PUBLIC
from anomaly.adapters.http.latency import LatencyWindow, latencies_of
from anomaly.adapters.http.openapi import examples
from anomaly.adapters.http.openapi.operations import errors, ok
from anomaly.adapters.http.schemas import HealthcheckResponse, Latency, ProbeResponse
from anomaly.adapters.http.services import services_of
from anomaly.ports.errors import DatabaseUnavailable, StorageError

logger = logging.getLogger(__name__)

# Load balancers and orchestrators may probe with HEAD: the server answers it as GET, without the body.
PROBE_METHODS = [HttpMethod.GET, HttpMethod.HEAD]


def _probe_operation_id(get_id: str) -> OperationIDCreator:
    """The GET operation keeps the id it has always had; HEAD gets its own."""

    def operation_id(handler: object, method: Method, path: object) -> str:
        return get_id if method == HttpMethod.GET else f"{get_id}{method.title()}"

    return operation_id


class HealthController(Controller):
    tags = ["operations"]  # noqa: RUF012 (Litestar reads it as a plain attribute)

    @route(
        "/health/live",
        http_method=PROBE_METHODS,
        operation_id=_probe_operation_id("HealthLiveLive"),
        opt=PUBLIC,
        summary="Liveness",
        description="200 while the process answers requests. HEAD answers as GET, without the body.",
        responses={200: ok(ProbeResponse, examples.PROBE_OK)},
    )
    async def live(self) -> ProbeResponse:
        return ProbeResponse(status="ok")

    @route(
        "/health/ready",
        http_method=PROBE_METHODS,
        operation_id=_probe_operation_id("HealthReadyReady"),
        opt=PUBLIC,
        summary="Readiness",
        description=(
            "200 when the service can serve: the metadata database answers, its schema is at the "
            "revision this version expects, and the artifact folders can be written. 503 otherwise, "
            "saying which, or while shutting down. HEAD answers as GET, without the body."
        ),
        responses={
            200: ok(ProbeResponse, examples.PROBE_OK),
            503: ok(
                ProbeResponse,
                ProbeResponse(status="unavailable", message=DatabaseUnavailable.public_message),
                description="Not ready: the database, its schema or the artifact folders",
            ),
        },
    )
    async def ready(self, request: Request[Any, Any, State]) -> Response[ProbeResponse]:
        drain: Drain = request.app.state.drain
        if drain.draining:
            return Response(ProbeResponse(status="draining", message="shutting down"), status_code=503)
        try:
            await services_of(request).service_status.ready()
        except StorageError as error:
            # The details (hosts, paths, driver errors) are for the log; the probe hears what failed.
            logger.warning("not ready: %s", error)
            return Response(
                ProbeResponse(status="unavailable", message=error.public_message), status_code=503
            )
        return Response(ProbeResponse(status="ok"))

    @get(
        "/healthcheck",
        summary="Service summary",
        description="Distinct series trained, and this process's recent inference and training latencies.",
        responses={200: ok(HealthcheckResponse, examples.HEALTHCHECK), **errors(503)},
    )
    async def healthcheck(self, request: Request[Any, Any, State]) -> HealthcheckResponse:
        latencies = latencies_of(request)
        return HealthcheckResponse(
            series_trained=await services_of(request).service_status.series_trained(),
            inference_latency_ms=_latency(latencies.inference),
            training_latency_ms=_latency(latencies.training),
        )


def _latency(window: LatencyWindow) -> Latency:
    average, p95 = window.summary()
    return Latency(avg=round(average, 3), p95=round(p95, 3))
