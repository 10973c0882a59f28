"""What every write unit of work keeps track of, in whatever database: the series it changed, and
whether it still takes writes."""

from anomaly.domain.series_id import SeriesId
from anomaly.ports.series_changes import SeriesChanges


class UnitOfWorkClosed(RuntimeError):
    """A write after `commit`: each unit of work commits once; open a new one to write again."""


class ChangedSeries:
    def __init__(self, changes: SeriesChanges) -> None:
        self._changes = changes
        self._changed: set[SeriesId] = set()
        self._closed = False

    def changing(self, series_id: SeriesId) -> None:
        """Called before each write; the series is marked once the unit of work commits."""
        if self._closed:
            raise UnitOfWorkClosed("this unit of work has committed; open a new one to write again")
        self._changed.add(series_id)

    def check_open(self) -> None:
        if self._closed:
            raise UnitOfWorkClosed("this unit of work has committed; open a new one to write again")

    def committed(self) -> None:
        """After a commit, applied or failed: a failed commit may have been applied all the same."""
        self._closed = True
        for series_id in self._changed:
            self._changes.mark(series_id)
        self._changed.clear()
