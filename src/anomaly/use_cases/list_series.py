"""Use case: the series that have models, with their latest version and number of versions."""

from anomaly.domain.model_version import SeriesSummary
from anomaly.ports.unit_of_work import UnitOfWorkFactory
from anomaly.use_cases.pagination import Page, PageRequest


class ListSeries:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def __call__(self, page: PageRequest, prefix: str | None = None) -> Page[SeriesSummary]:
        """`prefix` limits the listing to the series a caller may see."""
        async with self._uow_factory() as uow:
            items = await uow.models.list_series(page.limit, page.offset, prefix)
            total = await uow.models.count_series(prefix)
        return Page(items=items, total=total, request=page)
