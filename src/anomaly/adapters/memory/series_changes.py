"""Series changes in memory, for one process (or several simulated ones sharing this object)."""

import itertools

from anomaly.domain.series_id import SeriesId


class InMemorySeriesChanges:
    def __init__(self) -> None:
        self.stamps: dict[str, int] = {}
        self._marks = itertools.count(1)

    def stamp(self, series_id: SeriesId) -> int:
        return self.stamps.get(series_id.value, 0)

    def mark(self, series_id: SeriesId) -> None:
        self.stamps[series_id.value] = next(self._marks)
