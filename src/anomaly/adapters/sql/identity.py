"""Which database this is: the id its migration made, and its URL (without a password) for messages."""

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from anomaly.adapters.sql.errors import database_errors
from anomaly.adapters.sql.tables import database_identity
from anomaly.domain.store_pairing import DatabaseIdentity
from anomaly.ports.errors import StorageError


class SqlDatabaseIdentity:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._name = database_name(engine.url)

    async def identity(self) -> DatabaseIdentity:
        with database_errors("reading which database this is"):
            async with self._engine.connect() as connection:
                found = (await connection.execute(sa.select(database_identity.c.database_id))).scalars().all()
        if len(found) != 1:
            raise StorageError(
                f"the database {self._name} holds {len(found)} identities where its migration made one"
            )
        return DatabaseIdentity(id=found[0], name=self._name)


def database_name(url: URL) -> str:
    """The URL without its password; a SQLite file by its absolute path, whatever directory it was
    named from."""
    if url.get_backend_name() == "sqlite" and url.database and not url.database.startswith(("file:", ":")):
        url = url.set(database=str(Path(url.database).resolve()))
    return url.render_as_string(hide_password=True)
