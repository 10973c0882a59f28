"""Artifact keys relative to their store: a version row names `<series_id>/<file name>`, not a path.

Rows held absolute paths (`<MODEL_STATE_FOLDER>/<series_id>/<name>.model.json`), so moving the
artifact folders made every version unreadable. The store puts a key in its folder of the key's
kind (`.model.json` or `.data.json`), so the folders may move, or become an object store's prefixes.

Upgrading keeps each path's file name after its series: it works on any path a row holds, without
knowing the folders. Downgrading puts back absolute paths under the folders `MODEL_STATE_FOLDER`
and `TRAINING_DATA_FOLDER` name when it runs (defaults `./data/models` and `./data/data`, from the
directory it runs in).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from anomaly.settings import Settings

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

models = sa.table(
    "anomaly_detection_models",
    sa.column("series_id", sa.String),
    sa.column("model_path", sa.Text),
    sa.column("data_path", sa.Text),
)


def _file_name(path: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    # What follows the last '/', in SQL both SQLite and PostgreSQL speak: rtrim strips every trailing
    # character found in the path without its slashes, which leaves the path up to its last '/'.
    folder = sa.func.rtrim(path, sa.func.replace(path, "/", ""))
    return sa.func.substr(path, sa.func.length(folder) + 1)


def upgrade() -> None:
    op.execute(
        models.update().values(
            model_path=models.c.series_id + "/" + _file_name(models.c.model_path),
            data_path=models.c.series_id + "/" + _file_name(models.c.data_path),
        )
    )


def downgrade() -> None:
    settings = Settings.from_env()
    model_folder = os.fspath(settings.model_state_folder.resolve())
    data_folder = os.fspath(settings.training_data_folder.resolve())
    op.execute(
        models.update().values(
            model_path=model_folder + "/" + models.c.model_path,
            data_path=data_folder + "/" + models.c.data_path,
        )
    )
