"""`/series/{series_id}` and its versions: list them, inspect one, delete one or the whole series."""

from typing import Any

from litestar import Request, delete, get

from anomaly.adapters.http.openapi import examples
from anomaly.adapters.http.openapi.operations import errors, ok
from anomaly.adapters.http.parameters import LimitQuery, OffsetQuery, SeriesPath, VersionPath
from anomaly.adapters.http.schemas import (
    ArtifactInfo,
    DeleteResponse,
    VersionDetailResponse,
    VersionItem,
    VersionPage,
)
from anomaly.adapters.http.services import services_of
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.versioning import parse_version
from anomaly.use_cases.pagination import DEFAULT_LIMIT, PageRequest

TAGS = ["versions"]


@get(
    "/series/{series_id:str}/versions",
    tags=TAGS,
    summary="List a series' versions",
    description="Newest first.",
    responses={200: ok(VersionPage, examples.VERSIONS), **errors(400, 404, 422, 503)},
)
async def list_versions(
    request: Request[Any, Any, Any],
    series_id: SeriesPath,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> VersionPage:
    page = await services_of(request).list_versions(series_id, PageRequest(limit=limit, offset=offset))
    return VersionPage(
        series_id=series_id,
        items=[_item(version) for version in page.items],
        total=page.total,
        limit=page.request.limit,
        offset=page.request.offset,
    )


@get(
    "/series/{series_id:str}/versions/{version:str}",
    tags=TAGS,
    summary="Inspect one version",
    responses={200: ok(VersionDetailResponse, examples.VERSION), **errors(400, 404, 422, 500, 503)},
    description=(
        "Its metadata, and its model's state (its shape depends on the kind) as read, and "
        "checksum-verified, from its artifact."
    ),
)
async def get_version(
    request: Request[Any, Any, Any], series_id: SeriesPath, version: VersionPath
) -> VersionDetailResponse:
    detail = await services_of(request).get_version(series_id, parse_version(version))
    stored = detail.version
    return VersionDetailResponse(
        series_id=series_id,
        version=stored.version,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
        kind=stored.kind,
        parameters=stored.parameters,
        model=detail.model.describe(),
        model_artifact=ArtifactInfo(sha256=stored.model.sha256, size=stored.model.size),
        data_artifact=ArtifactInfo(sha256=stored.data.sha256, size=stored.data.size),
    )


@delete(
    "/series/{series_id:str}/versions/{version:str}",
    tags=TAGS,
    status_code=200,
    summary="Delete one version",
    responses={200: ok(DeleteResponse, examples.DELETED), **errors(400, 404, 422, 503)},
    description="Removes its row and artifacts. The number is never reused; latest is the newest left.",
)
async def delete_version(
    request: Request[Any, Any, Any], series_id: SeriesPath, version: VersionPath
) -> DeleteResponse:
    deleted = await services_of(request).delete_versions.version(series_id, parse_version(version))
    return _deleted(series_id, deleted)


@delete(
    "/series/{series_id:str}",
    tags=TAGS,
    status_code=200,
    summary="Delete a series",
    responses={200: ok(DeleteResponse, examples.DELETED), **errors(400, 404, 422, 503)},
    description="Removes every version's row and artifacts. A later fit continues the numbering.",
)
async def delete_series(request: Request[Any, Any, Any], series_id: SeriesPath) -> DeleteResponse:
    return _deleted(series_id, await services_of(request).delete_versions.series(series_id))


def _item(version: ModelVersion) -> VersionItem:
    return VersionItem(
        version=version.version,
        created_at=version.created_at,
        points_used=version.summary.points_used,
        first_timestamp=version.summary.first_timestamp,
        last_timestamp=version.summary.last_timestamp,
        mean=version.summary.mean,
        std=version.summary.std,
        kind=version.kind,
    )


def _deleted(series_id: str, versions: list[ModelVersion]) -> DeleteResponse:
    numbers = [version.version for version in versions]
    noun = "version" if len(numbers) == 1 else "versions"
    return DeleteResponse(
        series_id=series_id,
        success=True,
        message=f"Deleted {len(numbers)} {noun} of series {series_id!r}.",
        deleted_versions=numbers,
    )
