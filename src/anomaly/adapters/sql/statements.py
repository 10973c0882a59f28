"""The registry's statements, from SQLAlchemy Core; the hot ones built once, at import.

Building a statement costs more CPU than running it, and a prebuilt one also skips SQLAlchemy's
cache-key computation.
"""

from typing import Any

import sqlalchemy as sa

from anomaly.adapters.sql.tables import models, series
from anomaly.domain.versioning import FIRST_VERSION, VERSION_STEP

GET = sa.select(models).where(
    models.c.series_id == sa.bindparam("series_id"), models.c.version == sa.bindparam("version")
)
# Served by the primary key (series_id, version): one index probe from its end.
LATEST = (
    sa.select(models)
    .where(models.c.series_id == sa.bindparam("series_id"))
    .order_by(models.c.version.desc())
    .limit(1)
)
INSERT_VERSION = sa.insert(models)
# Taken by a delete before it deletes: an update of the newest version (see VersionDraft.follows)
# holds the same row from its number's allocation to its commit, so the two happen one after the
# other, and the delete's statement sees the update's version (PostgreSQL's READ COMMITTED would
# otherwise let an update commit a version built on rows a delete had just removed). SQLite, which
# has no row locks, runs one writer at a time anyway.
LOCK_COUNTER = (
    sa.select(series.c.last_version).where(series.c.series_id == sa.bindparam("series_id")).with_for_update()
)
NEWEST = sa.select(sa.func.max(models.c.version)).where(models.c.series_id == sa.bindparam("series_id"))


def allocate(insert: Any) -> Any:
    """The series' next number, with the dialect's `insert` (PostgreSQL's and SQLite's spell ON
    CONFLICT alike).

    INSERT .. ON CONFLICT DO UPDATE .. RETURNING is atomic on both: the counter row stays locked
    until the transaction ends, so concurrent fits queue on it, and a rollback gives the number
    back. It applies domain.versioning's rules: FIRST_VERSION for a new series, last + VERSION_STEP.
    """
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


def starting_with(prefix: str | None) -> sa.ColumnElement[bool]:
    # autoescape: '_' in a series id is a LIKE wildcard otherwise.
    return sa.true() if prefix is None else models.c.series_id.startswith(prefix, autoescape=True)
