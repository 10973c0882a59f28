"""What a repository needs to know of its unit of work's transaction: the SQL adapters' shared seam."""

from collections.abc import Callable
from typing import Protocol, TypeVar

import sqlalchemy as sa

T = TypeVar("T")


class WriteState(Protocol):
    @property
    def writing(self) -> bool:
        """A write transaction is open on the connection."""
        ...

    async def before_write(self) -> None:
        """Open the write transaction, if it is not open yet; called before every write."""
        ...

    async def commit(self) -> None:
        """End the write transaction, keeping its changes."""
        ...

    async def write_alone(self, action: str, work: Callable[[sa.Connection], T]) -> T:
        """SQLite: `work` as a transaction of its own, in one trip to a worker thread, during this
        process's turn to write; for a unit of work that writes nothing else."""
        ...
