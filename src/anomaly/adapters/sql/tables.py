"""The schema, as SQLAlchemy Core tables; alembic migrations create it, these describe it to queries."""

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from anomaly.domain.idempotency import IdempotencyRecord
from anomaly.domain.model_kind import ModelSummary
from anomaly.domain.model_version import ArtifactRef, ModelVersion
from anomaly.domain.series_id import SeriesId

# What `status` holds for a completed idempotent request: only successful replies are kept.
KEPT_STATUS = 200

# Named constraints, so migrations and error handling can refer to them on every database.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite would hand back naive datetimes)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps stored in the database must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# One row per series ever fitted: the counter that numbers its versions. It outlives deleted
# versions, which is what keeps a version number from ever being handed out twice.
series = sa.Table(
    "anomaly_detection_series",
    metadata,
    sa.Column("series_id", sa.String(128), primary_key=True),
    sa.Column("last_version", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("last_version >= 1", name="last_version_positive"),
)

models = sa.Table(
    "anomaly_detection_models",
    metadata,
    sa.Column("series_id", sa.String(128), sa.ForeignKey(series.c.series_id), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("model_path", sa.Text, nullable=False),
    sa.Column("model_sha256", sa.String(64), nullable=False),
    sa.Column("model_size", sa.BigInteger, nullable=False),
    sa.Column("data_path", sa.Text, nullable=False),
    sa.Column("data_sha256", sa.String(64), nullable=False),
    sa.Column("data_size", sa.BigInteger, nullable=False),
    sa.Column("points_used", sa.Integer, nullable=False),
    sa.Column("first_timestamp", sa.BigInteger, nullable=False),
    sa.Column("last_timestamp", sa.BigInteger, nullable=False),
    sa.Column("mean", sa.Double, nullable=False),
    sa.Column("std", sa.Double, nullable=False),
    sa.Column("min_value", sa.Double, nullable=False),
    sa.Column("max_value", sa.Double, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # The kind of model (see domain.model) and its parameters, as a JSON object: any kind's, so
    # that a new kind needs no new column.
    sa.Column("kind", sa.String(32), nullable=False, server_default="gaussian"),
    sa.Column("parameters", sa.Text, nullable=False, server_default="{}"),
    sa.CheckConstraint("version >= 1", name="version_positive"),
    sa.CheckConstraint("points_used >= 1", name="points_used_positive"),
)

# One row, made by the migration that created the table: which database this is, so that an
# artifact store can tell it from any other (see domain.store_pairing).
database_identity = sa.Table(
    "anomaly_database_identity",
    metadata,
    sa.Column("database_id", sa.String(32), primary_key=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

# One row per (caller, Idempotency-Key): the claim while its request runs, then its response.
idempotency_keys = sa.Table(
    "anomaly_idempotency_keys",
    metadata,
    sa.Column("caller", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("response", sa.LargeBinary, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False, index=True),
    sa.Column("locked_until", UtcDateTime, nullable=False),
)


def version_row(version: ModelVersion) -> dict[str, Any]:
    """A version as a row of `models`, keyed by column name."""
    summary = version.summary
    return {
        "series_id": version.series_id.value,
        "version": version.version,
        "model_path": version.model.location,
        "model_sha256": version.model.sha256,
        "model_size": version.model.size,
        "data_path": version.data.location,
        "data_sha256": version.data.sha256,
        "data_size": version.data.size,
        "points_used": summary.points_used,
        "first_timestamp": summary.first_timestamp,
        "last_timestamp": summary.last_timestamp,
        "mean": summary.mean,
        "std": summary.std,
        "min_value": summary.minimum,
        "max_value": summary.maximum,
        "created_at": version.created_at,
        "updated_at": version.updated_at,
        "kind": version.kind,
        # Sorted keys: the same parameters are always the same text.
        "parameters": json.dumps(version.parameters, sort_keys=True, allow_nan=False),
    }


def version_from_row(row: Mapping[Any, Any]) -> ModelVersion:
    """A row of `models` (from SQLAlchemy or straight from asyncpg) as a version."""
    return ModelVersion(
        series_id=SeriesId(row["series_id"]),
        version=row["version"],
        model=ArtifactRef(location=row["model_path"], sha256=row["model_sha256"], size=row["model_size"]),
        data=ArtifactRef(location=row["data_path"], sha256=row["data_sha256"], size=row["data_size"]),
        summary=ModelSummary(
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
        kind=row["kind"],
        parameters=json.loads(row["parameters"]),
    )


def idempotency_row(record: IdempotencyRecord) -> dict[str, Any]:
    return {
        "caller": record.caller,
        "key": record.key,
        "fingerprint": record.fingerprint,
        # The column predates replies without a status: every reply kept is a success.
        "status": None if record.reply is None else KEPT_STATUS,
        "response": record.reply,
        "created_at": record.created_at,
        "expires_at": record.expires_at,
        "locked_until": record.locked_until,
    }


def idempotency_from_row(row: Mapping[Any, Any]) -> IdempotencyRecord:
    return IdempotencyRecord(
        caller=row["caller"],
        key=row["key"],
        fingerprint=row["fingerprint"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        locked_until=row["locked_until"],
        reply=row["response"] if row["status"] is not None else None,
    )
