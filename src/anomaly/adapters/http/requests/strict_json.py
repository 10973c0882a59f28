"""Decodes a JSON body into a msgspec type strictly (no "3" for 3), naming the field at fault."""

import functools
from typing import Any, TypeVar, cast

import msgspec

from anomaly.adapters.http.requests.msgspec_errors import invalid_input, malformed_message

T = TypeVar("T")

# Decoding a body this large takes long enough to be worth a thread hop.
DECODE_INLINE_LIMIT = 256 * 1024


class MalformedBody(Exception):
    """The body is not JSON at all."""


def decode_strictly(body: bytes | bytearray, payload_type: type[T]) -> T:
    """The body as `payload_type`; `InvalidInput` naming the field at fault, `MalformedBody` if not JSON.

    CPU-bound: callers hop to a thread for bodies over DECODE_INLINE_LIMIT.
    """
    decoder: msgspec.json.Decoder[T] = _decoder(cast(Any, payload_type))
    try:
        return decoder.decode(body)
    except msgspec.ValidationError as error:
        raise invalid_input(str(error)) from None
    except msgspec.DecodeError as error:
        raise MalformedBody(malformed_message(str(error), body)) from None


@functools.cache
def _decoder(payload_type: Any) -> msgspec.json.Decoder[Any]:
    # Building a decoder compiles the type; done once per payload type, not per request.
    return msgspec.json.Decoder(payload_type)
