"""Port: whether the metadata database answers, for the readiness probe."""

from typing import Protocol


class DatabaseProbe(Protocol):
    async def check(self) -> None:
        """Return when the database answers a trivial query; raise `DatabaseUnavailable` otherwise."""
        ...
