"""Model registry: the per-series version counter and one row per model version.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "anomaly_detection_series",
        sa.Column("series_id", sa.String(128), nullable=False),
        sa.Column("last_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("series_id", name="pk_anomaly_detection_series"),
        sa.CheckConstraint("last_version >= 1", name="ck_anomaly_detection_series_last_version_positive"),
    )
    op.create_table(
        "anomaly_detection_models",
        sa.Column("series_id", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
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
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("series_id", "version", name="pk_anomaly_detection_models"),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["anomaly_detection_series.series_id"],
            name="fk_anomaly_detection_models_series_id_anomaly_detection_series",
        ),
        sa.CheckConstraint("version >= 1", name="ck_anomaly_detection_models_version_positive"),
        sa.CheckConstraint("points_used >= 1", name="ck_anomaly_detection_models_points_used_positive"),
    )


def downgrade() -> None:
    op.drop_table("anomaly_detection_models")
    op.drop_table("anomaly_detection_series")
