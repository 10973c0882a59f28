"""Reads a request body with the least work for its size: one message as is, a large one into one buffer."""

import math
from typing import Any

from litestar import Request
from litestar.exceptions import ClientException, InternalServerException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge


async def read_body(request: Request[Any, Any, Any]) -> bytes | bytearray:
    """The body, as `request.body()` gives it (a larger one as a bytearray), with its size limit.

    A small body arrives in one message, which is returned as it is: `request.body()` would parse
    every header and join a list of one chunk, which costs a predict more than its own work.

    `request.body()` joins the chunks the server received; freed, they stay in the allocator's heap,
    so a 30 MB body leaves 30 MB resident beside the arrays decoded from it. Chunks copied into one
    buffer of the announced length are freed one by one, and the buffer, once done with, goes back
    to the system whole.
    """
    limit = request.route_handler.resolve_request_max_body_size() or math.inf
    first, more = await _receive(request)
    if not more:
        if len(first) > limit:
            raise RequestEntityTooLarge
        return first
    length = _announced_length(request)
    if length is not None and length > limit:
        raise RequestEntityTooLarge  # before the rest is read, let alone held
    # The server holds a body to its announced length; should one differ, the slice assignment grows
    # the buffer, or `del` trims it, so that it holds exactly what was received.
    buffer = bytearray(length or 0)
    buffer[: len(first)] = first
    filled = len(first)
    while more:
        chunk, more = await _receive(request)
        if filled + len(chunk) > limit:
            raise RequestEntityTooLarge
        buffer[filled : filled + len(chunk)] = chunk
        filled += len(chunk)
    del buffer[filled:]
    # The buffer itself, not a `bytes` copy of it: everything downstream only reads the body, and
    # a copy of 30 MB costs 25 ms here, most of it faulting in the pages of a second buffer.
    return buffer


async def _receive(request: Request[Any, Any, Any]) -> tuple[bytes, bool]:
    while True:
        event = await request.receive()
        if event["type"] == "http.disconnect":
            raise InternalServerException("client disconnected prematurely")
        if event["type"] == "http.request":
            return event.get("body", b""), event.get("more_body", False)


def _announced_length(request: Request[Any, Any, Any]) -> int | None:
    for name, value in request.scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                raise ClientException(f"Invalid content-length: {value.decode('latin-1')!r}") from None
    return None
