"""The registry's rows in memory: lookups, listings, references and removals, like SqlVersions."""

from anomaly.adapters.changed_series import ChangedSeries
from anomaly.adapters.memory.database import InMemoryDatabase, Staged
from anomaly.domain.model_version import ModelVersion, SeriesSummary
from anomaly.domain.series_id import SeriesId


class InMemoryVersions:
    """Reads see the committed rows and, inside a write unit of work, its own changes on top."""

    def __init__(
        self, database: InMemoryDatabase, staged: Staged | None = None, changed: ChangedSeries | None = None
    ) -> None:
        self._database = database
        self._staged = staged
        self._changed = changed

    async def get(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        return self._rows().get((series_id.value, version))

    async def latest(self, series_id: SeriesId) -> ModelVersion | None:
        versions = self._versions(series_id)
        return versions[0] if versions else None

    async def list_versions(
        self, series_id: SeriesId, limit: int | None = None, offset: int = 0
    ) -> list[ModelVersion]:
        versions = self._versions(series_id)[offset:]
        return versions if limit is None else versions[:limit]

    async def count_versions(self, series_id: SeriesId) -> int:
        return len(self._versions(series_id))

    async def list_series(
        self, limit: int, offset: int = 0, prefix: str | None = None
    ) -> list[SeriesSummary]:
        summaries = []
        for name in self._series(prefix)[offset : offset + limit]:
            versions = self._versions(SeriesId(name))
            summaries.append(SeriesSummary(SeriesId(name), versions[0].version, len(versions)))
        return summaries

    async def count_series(self, prefix: str | None = None) -> int:
        return len(self._series(prefix))

    async def artifact_locations(self, series_id: SeriesId) -> set[str]:
        return {ref.location for row in self._versions(series_id) for ref in (row.model, row.data)}

    async def delete_version(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        staged = self._writable(series_id)
        row = self._rows().get((series_id.value, version))
        if row is not None:
            staged.rows[(series_id.value, version)] = None
        return row

    async def delete_series(self, series_id: SeriesId) -> list[ModelVersion]:
        staged = self._writable(series_id)
        rows = self._versions(series_id)
        for row in rows:
            staged.rows[(series_id.value, row.version)] = None
        return rows

    def _writable(self, series_id: SeriesId) -> Staged:
        if self._staged is None or self._changed is None:
            raise RuntimeError("a read unit of work takes no writes")
        self._changed.changing(series_id)
        return self._staged

    def _rows(self) -> dict[tuple[str, int], ModelVersion]:
        rows = dict(self._database.rows)
        for key, row in (self._staged.rows if self._staged else {}).items():
            if row is None:
                rows.pop(key, None)
            else:
                rows[key] = row
        return rows

    def _versions(self, series_id: SeriesId) -> list[ModelVersion]:
        rows = [row for (series, _), row in self._rows().items() if series == series_id.value]
        return sorted(rows, key=lambda row: row.version, reverse=True)

    def _series(self, prefix: str | None) -> list[str]:
        return sorted({series for series, _ in self._rows() if series.startswith(prefix or "")})
