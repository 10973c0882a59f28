"""Decodes request bodies strictly (no coercion of strings to numbers) and names the field at fault."""

import functools
import re
from typing import Any, TypeVar, cast

import anyio.to_thread
import msgspec

from anomaly.domain.errors import InvalidInput

T = TypeVar("T")

# Decoding a body this large takes long enough to be worth a thread hop.
DECODE_INLINE_LIMIT = 256 * 1024
_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
_NAMED_FIELD = re.compile(r"field `(?P<name>[^`]+)`")
_BYTE = re.compile(r"\(byte (?P<offset>\d+)\)")
_NON_FINITE = re.compile(r"nan|inf", re.IGNORECASE)


class MalformedBody(Exception):
    """The body is not JSON at all."""


async def decode_body(body: bytes | bytearray, payload_type: type[T]) -> T:
    if len(body) <= DECODE_INLINE_LIMIT:
        return decode_body_now(body, payload_type)
    return await anyio.to_thread.run_sync(decode_body_now, body, payload_type)


def decode_body_now(body: bytes | bytearray, payload_type: type[T]) -> T:
    """`decode_body` on the calling thread, for callers already off the event loop."""
    decoder: msgspec.json.Decoder[T] = _decoder(cast(Any, payload_type))
    try:
        return decoder.decode(body)
    except msgspec.ValidationError as error:
        raise _invalid_input(str(error)) from None
    except msgspec.DecodeError as error:
        raise MalformedBody(_malformed_message(str(error), body)) from None


@functools.cache
def _decoder(payload_type: Any) -> msgspec.json.Decoder[Any]:
    # Building a decoder compiles the type; done once per payload type, not per request.
    return msgspec.json.Decoder(payload_type)


def _invalid_input(message: str) -> InvalidInput:
    path_match = _PATH.search(message)
    reason = _PATH.sub("", message)
    if "multiple of 1.0" in reason:
        reason = "Expected an integer, got a number with a fractional part"
    named = _NAMED_FIELD.search(reason)
    parent = path_match.group("path") if path_match else ""
    if named:
        field = f"{parent}.{named.group('name')}" if parent else named.group("name")
    else:
        field = parent or "body"
    return InvalidInput(field, reason)


def _malformed_message(message: str, body: bytes | bytearray) -> str:
    if not body.strip():
        return "the request body is empty; send a JSON object"
    found = _BYTE.search(message)
    if not found:
        return f"the request body is not valid JSON: {message}"
    offset = int(found.group("offset"))
    excerpt = body[max(0, offset - 24) : offset + 24].decode("utf-8", "replace")
    hint = " (NaN and Infinity are not JSON numbers)" if _NON_FINITE.search(excerpt) else ""
    return (
        f"the request body is not valid JSON: {message.removeprefix('JSON is malformed: ')} "
        f"near {excerpt!r}{hint}"
    )
