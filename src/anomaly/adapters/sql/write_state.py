"""What a repository needs to know of its unit of work's transaction: the SQL adapters' shared seam."""

from typing import Protocol


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
