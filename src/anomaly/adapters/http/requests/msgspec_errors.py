"""msgspec's errors as the client is told them: the field at fault, the reason, where the JSON breaks."""

import re

from anomaly.domain.errors import InvalidInput

# msgspec reports a failure only as a message (its errors carry no field or offset of their own), so the
# location is read from the message's text, here and nowhere else.

# "<reason> - at `$.values[3]`"; a failure of the document itself has no location.
_LOCATION = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
# A missing or unknown key is named in the reason: "Object missing required field `values`".
_NAMED_FIELD = re.compile(r"field `(?P<name>[^`]+)`")
# A DecodeError names the byte where the JSON breaks: "JSON is malformed: ... (byte 42)".
_BYTE = re.compile(r"\(byte (?P<offset>\d+)\)")
_NON_FINITE = re.compile(r"nan|inf", re.IGNORECASE)


def field_and_reason(message: str) -> tuple[str, str]:
    """A msgspec.ValidationError message read as (field, reason).

    The field is written as in the body (`values[3]`, `timestamps`), or `body` for the document
    itself; the reason is msgspec's words without the location:
    "Expected `int`, got `str` - at `$.values[3]`" -> ("values[3]", "Expected `int`, got `str`").
    """
    located = _LOCATION.search(message)
    path = located.group("path") if located else ""
    reason = message[: located.start()] + message[located.end() :] if located else message
    named = _NAMED_FIELD.search(reason)
    if named:
        return (f"{path}.{named.group('name')}" if path else named.group("name")), reason
    return path or "body", reason


def invalid_input(message: str) -> InvalidInput:
    """The client's error for a msgspec.ValidationError with this message."""
    field, reason = field_and_reason(message)
    if "multiple of 1.0" in reason:
        # A timestamp written as 2.5: msgspec's words name the constraint, not the client's mistake.
        reason = "Expected an integer, got a number with a fractional part"
    return InvalidInput(field, reason)


def malformed_message(message: str, body: bytes | bytearray) -> str:
    """The client's message for a msgspec.DecodeError with this message: what breaks, and the text near it."""
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
