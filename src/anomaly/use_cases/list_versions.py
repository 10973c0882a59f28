"""Use case: every stored version of a series, newest first."""

from anomaly.domain.errors import SeriesNotFound
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.ports.unit_of_work import UnitOfWorkFactory
from anomaly.use_cases.pagination import Page, PageRequest


class ListVersions:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def __call__(self, series_id: str, page: PageRequest) -> Page[ModelVersion]:
        series = SeriesId(series_id)
        async with self._uow_factory() as uow:
            total = await uow.models.count_versions(series)
            items = await uow.models.list_versions(series, page.limit, page.offset) if total else []
        if total == 0:
            raise SeriesNotFound(series.value)
        return Page(items=items, total=total, request=page)
