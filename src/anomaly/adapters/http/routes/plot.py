"""`GET /plot`: a page that shows what a model version considers normal."""

from functools import partial
from typing import Any

from litestar import Controller, MediaType, Request, Response, get

from anomaly.adapters.http.openapi.operations import errors
from anomaly.adapters.http.parameters import (
    AlertQuery,
    DirectionQuery,
    KQuery,
    SeriesQuery,
    VersionQuery,
    optional_version,
)
from anomaly.adapters.http.requests.batch import read_stored_columns
from anomaly.adapters.http.requests.strict_json import MalformedBody
from anomaly.adapters.http.responses.plot_page import CONTENT_SECURITY_POLICY, PlotInput, render_plot_page
from anomaly.adapters.http.services import services_of
from anomaly.domain.detection import DEFAULT_K, Threshold
from anomaly.domain.errors import InvalidInput
from anomaly.ports.errors import ModelUnreadable
from anomaly.use_cases.offload import run_cpu_bound


class PlotController(Controller):
    tags = ["operations"]  # noqa: RUF012 (Litestar reads it as a plain attribute)

    @get(
        "/plot",
        media_type=MediaType.HTML,
        summary="Plot a version",
        responses=errors(400, 404, 422, 500, 503),
        description=(
            "A self-contained HTML page (no external resource) drawing the version's training data, "
            "the value its model expects at each time and its band (k scales either side; a seasonal "
            "band follows the cycle), with the training points the model itself would flag."
        ),
    )
    async def plot(
        self,
        request: Request[Any, Any, Any],
        series_id: SeriesQuery,
        version: VersionQuery = None,
        k: KQuery = DEFAULT_K,
        direction: DirectionQuery = None,
        alert: AlertQuery = None,
    ) -> Response[str]:
        threshold = Threshold(k=k, direction=direction, alert=alert)
        data = await services_of(request).training_data(series_id, optional_version(version))
        try:
            # The same reader as a request's batch: stored training data is a batch as sent.
            batch = await read_stored_columns(data.content)
        except (InvalidInput, MalformedBody) as error:
            raise ModelUnreadable(
                series_id, data.version, f"its training data is not a batch ({error})"
            ) from error
        plot = PlotInput(
            series_id=data.series_id,
            version=data.version,
            model=data.model,
            threshold=threshold,
            timestamps=batch.timestamps,
            values=batch.values,
        )
        # Judging and drawing a million points takes a tenth of a second or more: not on the event
        # loop, where every other request would wait for it.
        page = await run_cpu_bound(batch.values.shape[0], partial(render_plot_page, plot))
        return Response(
            page,
            media_type=MediaType.HTML,
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff"},
        )
