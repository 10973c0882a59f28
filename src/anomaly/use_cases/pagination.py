"""Pages of a listing: how many items a client may ask for at once, and where it starts."""

from dataclasses import dataclass
from typing import Generic, TypeVar

from anomaly.domain.errors import InvalidInput

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
MAX_OFFSET = 2**31 - 1


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput("limit", f"must be from 1 to {MAX_LIMIT}, got {self.limit}")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise InvalidInput("offset", f"must be from 0 to {MAX_OFFSET}, got {self.offset}")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    request: PageRequest
