"""Use case: the series that have models, with their latest version and number of versions."""

from anomaly.domain.model_version import SeriesSummary
from anomaly.ports.units_of_work import Reads
from anomaly.use_cases.pagination import Page, PageRequest


class ListSeries:
    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def __call__(self, page: PageRequest, prefix: str | None = None) -> Page[SeriesSummary]:
        """`prefix` limits the listing to the series a caller may see."""
        async with self._reads() as uow:
            items = await uow.listings.list_series(page.limit, page.offset, prefix)
            total = await uow.listings.count_series(prefix)
        return Page(items=items, total=total, request=page)
