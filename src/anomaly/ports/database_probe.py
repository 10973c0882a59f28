"""Port: whether the metadata database can serve this code, for the readiness probe."""

from typing import Protocol


class DatabaseProbe(Protocol):
    async def check(self) -> None:
        """Return when the database answers and its schema is the one this code was written for;
        raise `DatabaseUnavailable`, `SchemaMissing` or `SchemaOutOfDate` otherwise."""
        ...
