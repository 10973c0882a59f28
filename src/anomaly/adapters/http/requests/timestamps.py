"""Timestamps as clients write them: integers, whole floats, strings of digits, RFC 3339 date-times."""

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec

from anomaly.adapters.http.patterns import decimal_range
from anomaly.domain.errors import InvalidInput
from anomaly.domain.time_series import MAX_TIMESTAMP

# RFC 3339's date-time (section 5.6), with the space its section 5.6 note allows for the T. An
# offset is required: a zone-less time means different instants on different clients.
_DATE_TIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d+))?"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})"
)
# What the OpenAPI document states of a text timestamp; a calendar's rules (February 30) and
# instants before 1970 in a positive offset are left to the service's own check, with its 422.
TEXT_PATTERN = (
    "^(?:" + decimal_range(0, MAX_TIMESTAMP)[1:-1] + "|"
    r"(?:19[7-9]\d|[2-9]\d{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt ]"
    r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.0+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d))$"
)
# The longest text a timestamp may be: room for any date-time and for leading zeros, never for
# thousands of digits (int() refuses more than 4300, and no client means them).
TEXT_MAX_LENGTH = 64
TEXT_DESCRIPTION = (
    "Or a string: digits (the same integer), or an RFC 3339 date-time with an offset "
    "(`2024-01-11T19:06:40Z`), read as Unix seconds; it must fall on a whole second, from 1970 on. "
    f"At most {TEXT_MAX_LENGTH} characters."
)


class _AsWritten(str):
    """A JSON number with a fraction or an exponent, as the client wrote it."""


class _BatchAsWritten(msgspec.Struct):
    timestamps: list[Any]


class _PointAsWritten(msgspec.Struct):
    timestamp: Any


# msgspec reads `9007199254740993.0` as the float64 nearest to it, 2**53, and the written digits are
# gone. These decoders read a body again, the rare one whose timestamps are floats, keeping each
# float's text, so that a float the client meant as another integer is refused, not rounded.
_BATCH_AS_WRITTEN = msgspec.json.Decoder(_BatchAsWritten, float_hook=_AsWritten)
_POINT_AS_WRITTEN = msgspec.json.Decoder(_PointAsWritten, float_hook=_AsWritten)


def batch_timestamps(body: bytes | bytearray, decoded: Sequence[int | float | str]) -> list[int]:
    """The integers a batch's decoded timestamps stand for, from the body they were decoded from."""
    written: Sequence[Any] = decoded
    if any(isinstance(stamp, float) for stamp in decoded):
        written = _BATCH_AS_WRITTEN.decode(body).timestamps
    return [
        timestamp_value(stamp, f"timestamps[{index}]", as_written)
        for index, (stamp, as_written) in enumerate(zip(decoded, written, strict=True))
    ]


def point_timestamp(body: bytes | bytearray, decoded: int | float | str) -> int:
    """The integer a point's decoded timestamp stands for, from the body it was decoded from."""
    written = _POINT_AS_WRITTEN.decode(body).timestamp if isinstance(decoded, float) else decoded
    return timestamp_value(decoded, "timestamp", written)


def timestamp_value(timestamp: int | float | str, field: str, written: Any) -> int:
    """The integer a decoded timestamp stands for; `written` is the same timestamp as the client
    wrote it (a float's text), `field` names it for the client's error."""
    if isinstance(timestamp, float):
        # Whole and in range, as the payload type guarantees; but a float64 holds every integer only
        # up to 2**53, and a longer one, or one with a tiny fraction, was rounded to another number.
        if Decimal(written) != Decimal(timestamp):
            raise InvalidInput(
                field,
                f"{_shortened(written)} is not a number a 64-bit float holds exactly (it would be read as "
                f"{int(timestamp)}); write the timestamp as an integer",
            )
        return int(timestamp)
    if isinstance(timestamp, int):
        return timestamp
    if timestamp.isascii() and timestamp.isdigit():
        # int() refuses more than 4300 digits; a number with more than the maximum's is out of range anyway.
        significant = timestamp.lstrip("0")
        if len(significant) > len(str(MAX_TIMESTAMP)) or int(significant or "0") > MAX_TIMESTAMP:
            raise InvalidInput(
                field, f"must be between 0 and {MAX_TIMESTAMP}, got {_shortened(repr(timestamp))}"
            )
        return int(significant or "0")
    return _unix_seconds(timestamp, field)


def _shortened(text: str, keep: int = 40) -> str:
    """A client's text in a message, cut short if it is long."""
    return (
        text if len(text) <= keep else f"{text[: keep // 2]}...{text[-keep // 2 :]} ({len(text)} characters)"
    )


def _unix_seconds(text: str, field: str) -> int:
    found = _DATE_TIME.fullmatch(text)
    if found is None:
        raise InvalidInput(
            field,
            f"must be an integer, a string of digits or an RFC 3339 date-time with an offset "
            f"(like 2024-01-11T19:06:40Z), got {text!r}",
        )
    if found.group("fraction") and found.group("fraction").strip("0"):
        raise InvalidInput(field, f"must fall on a whole second (timestamps count seconds), got {text!r}")
    offset = "+00:00" if found.group("offset") in ("Z", "z") else found.group("offset")
    try:
        moment = datetime.fromisoformat(f"{found.group('date')}T{found.group('time')}{offset}")
    except ValueError as error:
        raise InvalidInput(field, f"is not a valid date-time ({error}), got {text!r}") from None
    seconds = int((moment - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
    if seconds < 0:
        raise InvalidInput(field, f"must be 1970-01-01T00:00:00Z or later, got {text!r}")
    return seconds
