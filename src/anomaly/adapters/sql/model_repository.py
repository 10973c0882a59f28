"""The model registry in SQL; the version counter is advanced with one atomic upsert."""

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from anomaly.adapters.sql.driver import fetch_one
from anomaly.adapters.sql.errors import database_errors
from anomaly.adapters.sql.tables import models, series
from anomaly.adapters.sql.upsert import INSERTS
from anomaly.adapters.sql.write_state import WriteState
from anomaly.domain.model import ModelState
from anomaly.domain.model_version import ArtifactRef, ModelVersion, SeriesSummary, VersionDraft
from anomaly.domain.series_id import SeriesId
from anomaly.domain.versioning import FIRST_VERSION, VERSION_STEP

# The statements of the hot paths, built once: constructing a statement costs more CPU than
# running it, and a prebuilt one also skips SQLAlchemy's cache-key computation.
_GET = sa.select(models).where(
    models.c.series_id == sa.bindparam("series_id"), models.c.version == sa.bindparam("version")
)
# Served by the primary key (series_id, version): one index probe from its end.
_LATEST = (
    sa.select(models)
    .where(models.c.series_id == sa.bindparam("series_id"))
    .order_by(models.c.version.desc())
    .limit(1)
)
_ADD = sa.insert(models)
# The two reads behind every predict and detect, as asyncpg runs them (see driver.py).
_GET_SQL = "SELECT * FROM anomaly_detection_models WHERE series_id = $1 AND version = $2"
_LATEST_SQL = "SELECT * FROM anomaly_detection_models WHERE series_id = $1 ORDER BY version DESC LIMIT 1"


def _allocate(insert: Any) -> Any:
    # INSERT .. ON CONFLICT DO UPDATE .. RETURNING is atomic on PostgreSQL and SQLite alike: the
    # counter row stays locked until this transaction ends, so concurrent fits queue on it for
    # the few statements left, and a rollback gives the number back. It applies the rules of
    # domain.versioning.next_version: FIRST_VERSION for a new series, last + VERSION_STEP after.
    return (
        insert(series)
        .values(
            series_id=sa.bindparam("series_id"),
            last_version=FIRST_VERSION,
            created_at=sa.func.now(),
            updated_at=sa.func.now(),
        )
        .on_conflict_do_update(
            index_elements=[series.c.series_id],
            set_={"last_version": series.c.last_version + VERSION_STEP, "updated_at": sa.func.now()},
        )
        .returning(series.c.last_version)
    )


_ALLOCATE = {dialect: _allocate(insert) for dialect, insert in INSERTS.items()}

# The same upsert and insert as one statement, for PostgreSQL's asyncpg (see driver.py): a
# statement is atomic on its own, so it needs no transaction around it, and the counter row is
# locked only while PostgreSQL runs it rather than across the round trips of a transaction.
# Under load those round trips wait for a busy event loop, and every fit of the series queues
# behind them. (SQLite has no data-modifying WITH; it runs the two statements in a transaction.)
_COMMIT_NEXT_SQL = f"""
WITH counter AS (
    INSERT INTO {series.name} (series_id, last_version, created_at, updated_at)
    VALUES ($1, {FIRST_VERSION}, now(), now())
    ON CONFLICT (series_id) DO UPDATE
    SET last_version = {series.name}.last_version + {VERSION_STEP}, updated_at = now()
    RETURNING last_version
)
INSERT INTO {models.name} (series_id, version, model_path, model_sha256, model_size, data_path,
    data_sha256, data_size, points_used, first_timestamp, last_timestamp, mean, std, min_value,
    max_value, created_at, updated_at)
SELECT $1, last_version, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15
FROM counter
RETURNING version
"""


class SqlModelRepository:
    def __init__(self, connection: AsyncConnection, transaction: WriteState) -> None:
        self._connection = connection
        self._transaction = transaction

    async def add_next(self, draft: VersionDraft) -> ModelVersion:
        allocate = _ALLOCATE[self._connection.dialect.name]
        await self._transaction.before_write()
        with database_errors("allocating a version"):
            result = await self._connection.execute(allocate, {"series_id": draft.series_id.value})
            version = draft.numbered(int(result.scalar_one()))
        with database_errors("recording a version"):
            await self._connection.execute(_ADD, _to_row(version))
        return version

    async def commit_next(self, draft: VersionDraft) -> ModelVersion:
        if self._transaction.writing:
            raise RuntimeError("commit_next must be the only write of its unit of work")
        if self._connection.dialect.name == "sqlite":
            return await self._transaction.write_alone(
                "recording a version", lambda database: _add_next_now(database, draft)
            )
        state = draft.state
        row = await fetch_one(
            self._connection,
            "recording a version",
            _COMMIT_NEXT_SQL,
            draft.series_id.value,
            draft.model.location,
            draft.model.sha256,
            draft.model.size,
            draft.data.location,
            draft.data.sha256,
            draft.data.size,
            state.points_used,
            state.first_timestamp,
            state.last_timestamp,
            state.mean,
            state.std,
            state.minimum,
            state.maximum,
            draft.created_at,
        )
        assert row is not None  # INSERT .. SELECT from a one-row upsert returns that row
        return draft.numbered(int(row["version"]))

    async def get(self, series_id: SeriesId, version: int) -> ModelVersion | None:
        row: Mapping[Any, Any] | None
        if self._connection.dialect.name == "postgresql":
            row = await fetch_one(self._connection, "reading a version", _GET_SQL, series_id.value, version)
        else:
            with database_errors("reading a version"):
                result = await self._connection.execute(
                    _GET, {"series_id": series_id.value, "version": version}
                )
                row = result.mappings().one_or_none()
        return None if row is None else _from_row(row)

    async def latest(self, series_id: SeriesId) -> ModelVersion | None:
        row: Mapping[Any, Any] | None
        if self._connection.dialect.name == "postgresql":
            row = await fetch_one(
                self._connection, "reading the latest version", _LATEST_SQL, series_id.value
            )
        else:
            with database_errors("reading the latest version"):
                result = await self._connection.execute(_LATEST, {"series_id": series_id.value})
                row = result.mappings().one_or_none()
        return None if row is None else _from_row(row)

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
        return [_from_row(row) for row in rows]

    async def count_versions(self, series_id: SeriesId) -> int:
        statement = sa.select(sa.func.count()).where(models.c.series_id == series_id.value)
        with database_errors("counting versions"):
            return int((await self._connection.execute(statement)).scalar_one())

    async def list_series(
        self, limit: int, offset: int = 0, prefix: str | None = None
    ) -> list[SeriesSummary]:
        statement = (
            sa.select(models.c.series_id, sa.func.max(models.c.version), sa.func.count())
            .where(_starting_with(prefix))
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
        statement = sa.select(sa.func.count(sa.distinct(models.c.series_id))).where(_starting_with(prefix))
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
        statement = (
            sa.delete(models)
            .where(models.c.series_id == series_id.value, models.c.version == version)
            .returning(*models.c)
        )
        await self._transaction.before_write()
        with database_errors("deleting a version"):
            row = (await self._connection.execute(statement)).mappings().one_or_none()
        return None if row is None else _from_row(row)

    async def delete_series(self, series_id: SeriesId) -> list[ModelVersion]:
        statement = sa.delete(models).where(models.c.series_id == series_id.value).returning(*models.c)
        await self._transaction.before_write()
        with database_errors("deleting a series"):
            rows = (await self._connection.execute(statement)).mappings().all()
        return sorted((_from_row(row) for row in rows), key=lambda row: row.version, reverse=True)


def _add_next_now(database: sa.Connection, draft: VersionDraft) -> ModelVersion:
    """`add_next`, on a synchronous connection in a transaction of its own (SQLite)."""
    allocated = database.execute(_ALLOCATE["sqlite"], {"series_id": draft.series_id.value}).scalar_one()
    version = draft.numbered(int(allocated))
    database.execute(_ADD, _to_row(version))
    return version


def _starting_with(prefix: str | None) -> sa.ColumnElement[bool]:
    # autoescape: '_' in a series id is a LIKE wildcard otherwise.
    return sa.true() if prefix is None else models.c.series_id.startswith(prefix, autoescape=True)


def _to_row(version: ModelVersion) -> dict[str, Any]:
    state = version.state
    return {
        "series_id": version.series_id.value,
        "version": version.version,
        "model_path": version.model.location,
        "model_sha256": version.model.sha256,
        "model_size": version.model.size,
        "data_path": version.data.location,
        "data_sha256": version.data.sha256,
        "data_size": version.data.size,
        "points_used": state.points_used,
        "first_timestamp": state.first_timestamp,
        "last_timestamp": state.last_timestamp,
        "mean": state.mean,
        "std": state.std,
        "min_value": state.minimum,
        "max_value": state.maximum,
        "created_at": version.created_at,
        "updated_at": version.updated_at,
    }


def _from_row(row: Mapping[Any, Any]) -> ModelVersion:
    return ModelVersion(
        series_id=SeriesId(row["series_id"]),
        version=row["version"],
        model=ArtifactRef(location=row["model_path"], sha256=row["model_sha256"], size=row["model_size"]),
        data=ArtifactRef(location=row["data_path"], sha256=row["data_sha256"], size=row["data_size"]),
        state=ModelState(
            mean=row["mean"],
            std=row["std"],
            points_used=row["points_used"],
            minimum=row["min_value"],
            maximum=row["max_value"],
            first_timestamp=row["first_timestamp"],
            last_timestamp=row["last_timestamp"],
        ),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
