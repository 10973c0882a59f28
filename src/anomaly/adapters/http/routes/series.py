"""`GET /series`: the series the caller may see, a page at a time."""

from typing import Any

from litestar import Request, get

from anomaly.adapters.http.hooks.api_keys import caller_of
from anomaly.adapters.http.openapi import examples
from anomaly.adapters.http.openapi.operations import errors, ok
from anomaly.adapters.http.parameters import LimitQuery, OffsetQuery
from anomaly.adapters.http.schemas import SeriesItem, SeriesPage
from anomaly.adapters.http.services import services_of
from anomaly.use_cases.pagination import DEFAULT_LIMIT, PageRequest


@get(
    "/series",
    tags=["versions"],
    summary="List series",
    description="Series with at least one stored version, by id.",
    responses={200: ok(SeriesPage, examples.SERIES), **errors(400, 422, 503)},
)
async def list_series(
    request: Request[Any, Any, Any],
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> SeriesPage:
    page = await services_of(request).list_series(
        PageRequest(limit=limit, offset=offset), prefix=caller_of(request).series_prefix
    )
    return SeriesPage(
        items=[
            SeriesItem(
                series_id=item.series_id.value, latest_version=item.latest_version, versions=item.versions
            )
            for item in page.items
        ],
        total=page.total,
        limit=page.request.limit,
        offset=page.request.offset,
    )
