"""Port: word, between the processes serving one registry, that a series' versions have changed."""

from typing import Protocol

from anomaly.domain.series_id import SeriesId


class SeriesChanges(Protocol):
    """A stamp per series that moves whenever a change to the series' versions commits anywhere.

    Writers `mark` a series after the change commits and before anyone is told of it; readers take
    the series' `stamp` before they read its versions. If a later stamp equals the one taken
    then, no change committed since, and what was read is still the registry's answer.
    """

    def stamp(self, series_id: SeriesId) -> int:
        """The series' current stamp; cheap enough to take on every request."""
        ...

    def mark(self, series_id: SeriesId) -> None:
        """Give the series a stamp it has never had."""
        ...
