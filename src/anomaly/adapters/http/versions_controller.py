"""`/series`: list series and their versions, inspect one version, delete versions."""

from typing import Any

from litestar import Controller, Request, delete, get
from litestar.di import NamedDependency

from anomaly.adapters.http import examples
from anomaly.adapters.http.auth import caller_of
from anomaly.adapters.http.openapi import errors, ok
from anomaly.adapters.http.parameters import LimitQuery, OffsetQuery, SeriesPath, VersionPath
from anomaly.adapters.http.schemas import (
    ArtifactInfo,
    DeleteResponse,
    ModelStateBody,
    SeriesItem,
    SeriesPage,
    VersionDetailResponse,
    VersionItem,
    VersionPage,
)
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.versioning import parse_version
from anomaly.use_cases.delete_versions import DeleteVersions
from anomaly.use_cases.get_version import GetVersion
from anomaly.use_cases.list_series import ListSeries
from anomaly.use_cases.list_versions import ListVersions
from anomaly.use_cases.pagination import DEFAULT_LIMIT, PageRequest


class VersionsController(Controller):
    path = "/series"
    tags = ["versions"]  # noqa: RUF012 (Litestar reads it as a plain attribute)

    @get(
        "/",
        summary="List series",
        description="Series with at least one stored version, by id.",
        responses={200: ok(SeriesPage, examples.SERIES), **errors(400, 422, 503)},
    )
    async def list_series(
        self,
        list_series: NamedDependency[ListSeries],
        request: Request[Any, Any, Any],
        limit: LimitQuery = DEFAULT_LIMIT,
        offset: OffsetQuery = 0,
    ) -> SeriesPage:
        page = await list_series(
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

    @get(
        "/{series_id:str}/versions",
        summary="List a series' versions",
        description="Newest first.",
        responses={200: ok(VersionPage, examples.VERSIONS), **errors(400, 404, 422, 503)},
    )
    async def list_versions(
        self,
        series_id: SeriesPath,
        list_versions: NamedDependency[ListVersions],
        limit: LimitQuery = DEFAULT_LIMIT,
        offset: OffsetQuery = 0,
    ) -> VersionPage:
        page = await list_versions(series_id, PageRequest(limit=limit, offset=offset))
        return VersionPage(
            series_id=series_id,
            items=[_item(version) for version in page.items],
            total=page.total,
            limit=page.request.limit,
            offset=page.request.offset,
        )

    @get(
        "/{series_id:str}/versions/{version:str}",
        summary="Inspect one version",
        responses={200: ok(VersionDetailResponse, examples.VERSION), **errors(400, 404, 422, 500, 503)},
        description="Its metadata, and its model state as read (and checksum-verified) from its artifact.",
    )
    async def get_version(
        self, series_id: SeriesPath, version: VersionPath, get_version: NamedDependency[GetVersion]
    ) -> VersionDetailResponse:
        detail = await get_version(series_id, parse_version(version))
        stored, state = detail.version, detail.state
        return VersionDetailResponse(
            series_id=series_id,
            version=stored.version,
            created_at=stored.created_at,
            updated_at=stored.updated_at,
            model=ModelStateBody(
                mean=state.mean,
                std=state.std,
                points_used=state.points_used,
                minimum=state.minimum,
                maximum=state.maximum,
                first_timestamp=state.first_timestamp,
                last_timestamp=state.last_timestamp,
            ),
            model_artifact=ArtifactInfo(sha256=stored.model.sha256, size=stored.model.size),
            data_artifact=ArtifactInfo(sha256=stored.data.sha256, size=stored.data.size),
        )

    @delete(
        "/{series_id:str}/versions/{version:str}",
        status_code=200,
        summary="Delete one version",
        responses={200: ok(DeleteResponse, examples.DELETED), **errors(400, 404, 422, 503)},
        description="Removes its row and artifacts. The number is never reused; latest is the newest left.",
    )
    async def delete_version(
        self, series_id: SeriesPath, version: VersionPath, delete_versions: NamedDependency[DeleteVersions]
    ) -> DeleteResponse:
        deleted = await delete_versions.version(series_id, parse_version(version))
        return _deleted(series_id, deleted)

    @delete(
        "/{series_id:str}",
        status_code=200,
        summary="Delete a series",
        responses={200: ok(DeleteResponse, examples.DELETED), **errors(400, 404, 422, 503)},
        description="Removes every version's row and artifacts. A later fit continues the numbering.",
    )
    async def delete_series(
        self, series_id: SeriesPath, delete_versions: NamedDependency[DeleteVersions]
    ) -> DeleteResponse:
        return _deleted(series_id, await delete_versions.series(series_id))


def _item(version: ModelVersion) -> VersionItem:
    return VersionItem(
        version=version.version,
        created_at=version.created_at,
        points_used=version.state.points_used,
        first_timestamp=version.state.first_timestamp,
        last_timestamp=version.state.last_timestamp,
        mean=version.state.mean,
        std=version.state.std,
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
