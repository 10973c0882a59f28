"""Which versions a series keeps: the newest few and the recent ones; the rest may be deleted."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from anomaly.domain.errors import InvalidInput
from anomaly.domain.model_version import ModelVersion


@dataclass(frozen=True, slots=True)
class Retention:
    """A version is kept while it is among the newest `keep_newest`, or younger than
    `keep_younger_than`; with neither set, every version is kept. The newest version is always
    kept, and a deleted number is never handed out again."""

    keep_newest: int | None = None
    keep_younger_than: timedelta | None = None

    def __post_init__(self) -> None:
        if self.keep_newest is not None and self.keep_newest < 1:
            raise InvalidInput("keep_newest", f"must be at least 1, got {self.keep_newest}")
        if self.keep_younger_than is not None and self.keep_younger_than <= timedelta(0):
            raise InvalidInput("keep_younger_than", "must be a positive duration")

    @property
    def keeps_everything(self) -> bool:
        return self.keep_newest is None and self.keep_younger_than is None

    def expired(self, newest_first: list[ModelVersion], now: datetime) -> list[ModelVersion]:
        """The versions past retention, from `newest_first` (a series' versions, newest first)."""
        if self.keeps_everything:
            return []
        return [
            version
            for position, version in enumerate(newest_first)
            if position > 0 and not self._kept(position, version, now)
        ]

    def _kept(self, position: int, version: ModelVersion, now: datetime) -> bool:
        if self.keep_newest is not None and position < self.keep_newest:
            return True
        return self.keep_younger_than is not None and now - version.created_at < self.keep_younger_than
