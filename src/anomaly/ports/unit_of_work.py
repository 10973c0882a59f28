"""Port: one atomic change to the metadata database."""

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from anomaly.ports.idempotency_repository import IdempotencyRepository
from anomaly.ports.model_repository import ModelRepository


class UnitOfWork(Protocol):
    """`async with` opens it; nothing is kept unless `commit` is awaited, and leaving rolls back the rest."""

    @property
    def models(self) -> ModelRepository:
        """The model registry, inside this unit of work."""
        ...

    @property
    def idempotency(self) -> IdempotencyRepository:
        """The idempotency keys, inside this unit of work."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None:
        """Make every change of this unit of work durable and visible, all at once."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
