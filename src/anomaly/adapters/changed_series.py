"""What every write unit of work keeps track of, in whatever database: the series it changed, and
whether it still takes writes."""

import logging

from anomaly.domain.series_id import SeriesId
from anomaly.ports.series_changes import SeriesChanges

logger = logging.getLogger(__name__)


class UnitOfWorkClosed(RuntimeError):
    """A write after `commit`: each unit of work commits once; open a new one to write again."""


class ChangedSeries:
    def __init__(self, changes: SeriesChanges) -> None:
        self._changes = changes
        self._changed: set[SeriesId] = set()
        self._closed = False

    def changing(self, series_id: SeriesId) -> None:
        """Called before each write; the series is marked once the unit of work commits."""
        self.check_open()
        self._changed.add(series_id)

    def check_open(self) -> None:
        if self._closed:
            raise UnitOfWorkClosed("this unit of work has committed; open a new one to write again")

    def committed(self) -> None:
        """After a commit, applied or failed: a failed commit may have been applied all the same."""
        self._closed = True
        for series_id in self._changed:
            mark_quietly(self._changes, series_id)
        self._changed.clear()


def mark_quietly(changes: SeriesChanges, series_id: SeriesId) -> None:
    """Mark a series; a failure is logged, never raised over the outcome of the write it follows.
    (Rows are read again within a second anyway, marked or not.)"""
    try:
        changes.mark(series_id)
    except Exception:
        logger.warning("could not mark series %r as changed", series_id.value, exc_info=True)
