"""Request headers the API reads a value from: sent once, as two values leave it unclear which counts."""

from typing import Any

from litestar import Request


class RepeatedHeader(Exception):
    """A header the API reads one value of came more than once."""

    def __init__(self, name: str, count: int) -> None:
        super().__init__(f"{name}: the header came {count} times; send it once")
        self.field = name


def single_header(request: Request[Any, Any, Any], name: str) -> str | None:
    """The header's value; None when absent, `RepeatedHeader` when sent more than once."""
    values = request.headers.getall(name, [])
    if len(values) > 1:
        raise RepeatedHeader(name, len(values))
    return values[0] if values else None
