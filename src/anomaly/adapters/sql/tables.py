"""The schema, as SQLAlchemy Core tables; alembic migrations create it, these describe it to queries."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

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
    sa.CheckConstraint("version >= 1", name="version_positive"),
    sa.CheckConstraint("points_used >= 1", name="points_used_positive"),
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
