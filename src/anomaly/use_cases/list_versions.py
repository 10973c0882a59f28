"""Use case: every stored version of a series, newest first."""

from anomaly.domain.errors import SeriesNotFound
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.ports.units_of_work import Reads
from anomaly.use_cases.pagination import Page, PageRequest


class ListVersions:
    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def __call__(self, series_id: str, page: PageRequest) -> Page[ModelVersion]:
        series = SeriesId(series_id)
        async with self._reads() as uow:
            total = await uow.listings.count_versions(series)
            items = await uow.listings.list_versions(series, page.limit, page.offset) if total else []
        if total == 0:
            raise SeriesNotFound(series.value)
        return Page(items=items, total=total, request=page)
