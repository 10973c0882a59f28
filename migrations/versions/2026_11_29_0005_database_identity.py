"""The database's identity: one row with an id made here, once, which artifact stores record to
tell this database from any other (a store belongs to the first database that uses it).

Downgrading forgets the id: upgrading again makes a new one, which the stores paired with the old
one refuse; remove their `+anomaly/database-id` markers to pair them anew.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    identity = op.create_table(
        "anomaly_database_identity",
        sa.Column("database_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("database_id", name="pk_anomaly_database_identity"),
    )
    op.bulk_insert(identity, [{"database_id": uuid.uuid4().hex, "created_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("anomaly_database_identity")
