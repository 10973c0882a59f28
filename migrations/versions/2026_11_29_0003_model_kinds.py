"""Model kinds: each version records the kind of model it is and that kind's parameters.

Every version stored before is of the one kind there was, `gaussian`, with no parameters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("anomaly_detection_models") as table:
        table.add_column(sa.Column("kind", sa.String(32), nullable=False, server_default="gaussian"))
        table.add_column(sa.Column("parameters", sa.Text, nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("anomaly_detection_models") as table:
        table.drop_column("parameters")
        table.drop_column("kind")
