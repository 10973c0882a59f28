"""Port: the registry of model versions, and the counter that numbers them."""

from typing import Protocol

from anomaly.domain.model_version import ModelVersion, SeriesSummary, VersionDraft
from anomaly.domain.series_id import SeriesId


class ModelRepository(Protocol):
    """Model metadata, read and written inside a unit of work."""

    async def add_next(self, draft: VersionDraft) -> ModelVersion:
        """Record `draft` as its series' next version (see `domain.versioning.next_version`).

        Atomic: concurrent units of work never receive the same number, and a unit of work that
        rolls back gives its number back, so committed versions are 1, 2, 3, ... in commit order.
        Deleting versions never lowers the counter: a number is never handed out twice.
        """
        ...

    async def commit_next(self, draft: VersionDraft) -> ModelVersion:
        """`add_next` and commit, as one atomic step of its own.

        For a unit of work that writes nothing else, before or after: it saves the transaction
        around the write, so the series' counter is locked only for the statement itself.
        """
        ...

    async def get(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        """One version, or None when the series has no such version."""
        ...

    async def latest(self, series_id: SeriesId) -> ModelVersion | None:
        """The series' newest stored version, or None when it has none."""
        ...

    async def list_versions(
        self, series_id: SeriesId, limit: int | None = None, offset: int = 0
    ) -> list[ModelVersion]:
        """Stored versions of a series, newest first, `limit` of them after skipping `offset`."""
        ...

    async def count_versions(self, series_id: SeriesId) -> int:
        """How many versions of the series are stored."""
        ...

    async def list_series(
        self, limit: int, offset: int = 0, prefix: str | None = None
    ) -> list[SeriesSummary]:
        """Series with at least one stored version, ordered by id; only ids starting with `prefix`."""
        ...

    async def count_series(self, prefix: str | None = None) -> int:
        """How many series have at least one stored version (and an id starting with `prefix`)."""
        ...

    async def artifact_locations(self, series_id: SeriesId) -> set[str]:
        """Where every stored version of the series keeps its artifacts."""
        ...

    async def delete_version(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        """Remove one version's row and return it; None when there was none."""
        ...

    async def delete_series(self, series_id: SeriesId) -> list[ModelVersion]:
        """Remove every version row of a series (its counter stays) and return them."""
        ...
