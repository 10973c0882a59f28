"""The registry's rows on one connection: lookups, listings, references and removals, on either database."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from anomaly.adapters.changed_series import ChangedSeries
from anomaly.adapters.sql import statements
from anomaly.adapters.sql.errors import database_errors
from anomaly.adapters.sql.tables import models, version_from_row
from anomaly.domain.model_version import ModelVersion, SeriesSummary
from anomaly.domain.series_id import SeriesId


class SqlVersions:
    """Implements VersionRows, VersionListings, ArtifactReferences and VersionRemovals.

    Inside a write unit of work, removals run in its transaction and name their series in
    `changed`, which the unit of work marks when it commits.
    """

    def __init__(self, connection: AsyncConnection, changed: ChangedSeries | None = None) -> None:
        self._connection = connection
        self._changed = changed

    async def get(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        with database_errors("reading a version"):
            result = await self._connection.execute(
                statements.GET, {"series_id": series_id.value, "version": version}
            )
            row = result.mappings().one_or_none()
        return None if row is None else version_from_row(row)

    async def latest(self, series_id: SeriesId) -> ModelVersion | None:
        with database_errors("reading the latest version"):
            result = await self._connection.execute(statements.LATEST, {"series_id": series_id.value})
            row = result.mappings().one_or_none()
        return None if row is None else version_from_row(row)

    async def list_versions(
        self, series_id: SeriesId, limit: int | None = None, offset: int = 0
    ) -> list[ModelVersion]:
        statement = (
            sa.select(models)
            .where(models.c.series_id == series_id.value)
            .order_by(models.c.version.desc())
            .limit(limit)
            .offset(offset)
        )
        with database_errors("listing versions"):
            rows = (await self._connection.execute(statement)).mappings().all()
        return [version_from_row(row) for row in rows]

    async def count_versions(self, series_id: SeriesId) -> int:
        statement = sa.select(sa.func.count()).where(models.c.series_id == series_id.value)
        with database_errors("counting versions"):
            return int((await self._connection.execute(statement)).scalar_one())

    async def list_series(
        self, limit: int, offset: int = 0, prefix: str | None = None
    ) -> list[SeriesSummary]:
        statement = (
            sa.select(models.c.series_id, sa.func.max(models.c.version), sa.func.count())
            .where(statements.starting_with(prefix))
            .group_by(models.c.series_id)
            .order_by(models.c.series_id)
            .limit(limit)
            .offset(offset)
        )
        with database_errors("listing series"):
            rows = (await self._connection.execute(statement)).all()
        return [
            SeriesSummary(series_id=SeriesId(series), latest_version=int(latest), versions=int(count))
            for series, latest, count in rows
        ]

    async def count_series(self, prefix: str | None = None) -> int:
        statement = sa.select(sa.func.count(sa.distinct(models.c.series_id))).where(
            statements.starting_with(prefix)
        )
        with database_errors("counting series"):
            return int((await self._connection.execute(statement)).scalar_one())

    async def artifact_locations(self, series_id: SeriesId) -> set[str]:
        statement = sa.select(models.c.model_path, models.c.data_path).where(
            models.c.series_id == series_id.value
        )
        with database_errors("listing artifact locations"):
            rows = (await self._connection.execute(statement)).all()
        return {location for row in rows for location in row}

    async def delete_version(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        self._writable().changing(series_id)
        await self._lock_counter(series_id)
        statement = (
            sa.delete(models)
            .where(models.c.series_id == series_id.value, models.c.version == version)
            .returning(*models.c)
        )
        with database_errors("deleting a version"):
            row = (await self._connection.execute(statement)).mappings().one_or_none()
        return None if row is None else version_from_row(row)

    async def delete_series(self, series_id: SeriesId) -> list[ModelVersion]:
        self._writable().changing(series_id)
        await self._lock_counter(series_id)
        statement = sa.delete(models).where(models.c.series_id == series_id.value).returning(*models.c)
        with database_errors("deleting a series"):
            rows = (await self._connection.execute(statement)).mappings().all()
        return sorted((version_from_row(row) for row in rows), key=lambda row: row.version, reverse=True)

    async def _lock_counter(self, series_id: SeriesId) -> None:
        with database_errors("locking a series"):
            await self._connection.execute(statements.LOCK_COUNTER, {"series_id": series_id.value})

    def _writable(self) -> ChangedSeries:
        if self._changed is None:
            raise RuntimeError("a read unit of work takes no writes")
        return self._changed
