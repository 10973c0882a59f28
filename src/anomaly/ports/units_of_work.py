"""Port: units of work on the metadata database, one kind for reading and one for changing it."""

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from anomaly.ports.artifact_references import ArtifactReferences
from anomaly.ports.idempotency_keys import IdempotencyKeys
from anomaly.ports.version_listings import VersionListings
from anomaly.ports.version_removals import VersionRemovals
from anomaly.ports.version_rows import VersionRows


class _Scoped(Protocol):
    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class ReadUnitOfWork(_Scoped, Protocol):
    """`async with` holds one connection for a few reads; it changes nothing."""

    @property
    def rows(self) -> VersionRows: ...

    @property
    def listings(self) -> VersionListings: ...

    @property
    def references(self) -> ArtifactReferences: ...


class WriteUnitOfWork(_Scoped, Protocol):
    """`async with` waits for its turn to write and starts a transaction; nothing is kept unless
    `commit` is awaited, and leaving rolls back the rest. Reads inside see its own writes.

    Every series whose versions it changed is marked (see SeriesChanges) when `commit` returns or
    fails, before anyone can be told of the change. After `commit` it takes no more writes.
    """

    @property
    def rows(self) -> VersionRows: ...

    @property
    def removals(self) -> VersionRemovals: ...

    @property
    def idempotency(self) -> IdempotencyKeys: ...

    async def commit(self) -> None:
        """Make every change of this unit of work durable and visible, all at once."""
        ...


Reads = Callable[[], ReadUnitOfWork]
Writes = Callable[[], WriteUnitOfWork]
