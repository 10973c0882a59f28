"""Reads a large batch body's two number arrays straight into numpy arrays, no Python object per number."""

import re
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt
import simdjson

from anomaly.domain.time_series import Timestamps, Values

# Large enough that the cost per slice vanishes, small enough that a slice's copies do not count.
SLICE_BYTES = 256 * 1024

_SPACE = rb"[ \t\n\r]*"  # JSON's white space; `\s` would also take \f and \v
_KEY = rb'"(timestamps|values)"' + _SPACE + rb":" + _SPACE + rb"\["
_FIRST = re.compile(_SPACE + rb"\{" + _SPACE + _KEY)
_SECOND = re.compile(_SPACE + rb"," + _SPACE + _KEY)
_CLOSE = re.compile(_SPACE + rb"\}" + _SPACE)
_MORE = re.compile(_SPACE + rb",")
# What simdjson raises on malformed JSON, a non-number, or a number its buffer type cannot hold.
_REFUSALS = (ValueError, TypeError, RuntimeError)

Number = TypeVar("Number", np.int64, np.float64)


@dataclass(frozen=True, slots=True)
class Columns:
    timestamps: Timestamps
    values: Values
    # Where the object's further members begin (the offset of the comma after the arrays), when it
    # has more and the caller asked for them; the caller decodes and checks them.
    more: int | None = None


# msgspec can only decode a JSON array into a Python list: a million points become two million objects
# (~70 MB) and a second pass to build arrays. simdjson parses an array of numbers into a machine buffer.
# This reader takes only the shape nearly every client sends, `{"timestamps": [int, ...], "values":
# [number, ...]}` (either order, JSON white space anywhere), and answers None for anything else: the
# strict msgspec decoder then reads the body, so it alone decides what is an error and what its message
# says.
#
# simdjson's rules differ from the API's, hence the checks around it: its buffers flatten nested arrays
# and take negative integers as timestamps, and it parses a whole document, not a member of one (so each
# array is parsed in slices wrapped in brackets, which also bounds the memory it takes).
def read_columns(
    body: bytes | bytearray, slice_bytes: int = SLICE_BYTES, *, more_members: bool = False
) -> Columns | None:
    """The body's timestamps (int64, as written) and values (float64), or None if the body is not plain.

    Plain means: an object with exactly the keys `timestamps` and `values`, once each and unescaped,
    whose arrays hold only JSON numbers, non-negative integers for the timestamps. With
    `more_members`, the object may go on after the two arrays (a fit's `kind` and `parameters`):
    `Columns.more` says where, and nothing after that point is read here.
    """
    first = _FIRST.match(body)
    if first is None:
        return None
    first_end = body.find(b"]", first.end())
    second = _SECOND.match(body, first_end + 1) if first_end >= 0 else None
    if second is None or second.group(1) == first.group(1):
        return None
    second_end = body.find(b"]", second.end())
    more = _after_arrays(body, second_end, more_members)
    if more is None:
        return None
    spans = {first.group(1): (first.end(), first_end), second.group(1): (second.end(), second_end)}
    parser = simdjson.Parser()
    timestamps = _read_array(parser, body, spans[b"timestamps"], np.int64, slice_bytes)
    # A minus sign is the one way to a negative int64 here (past 2**63 - 1 simdjson refuses the buffer),
    # and msgspec names the field that breaks the lower bound.
    if timestamps is None or (timestamps.shape[0] and int(timestamps.min()) < 0):
        return None
    values = _read_array(parser, body, spans[b"values"], np.float64, slice_bytes)
    if values is None:
        return None
    return Columns(timestamps=timestamps, values=values, more=more if more >= 0 else None)


def _after_arrays(body: bytes | bytearray, second_end: int, more_members: bool) -> int | None:
    """What follows the second array's `]`: -1 if the object ends there, the offset of the comma if
    more members follow (and may), None if the body is not plain."""
    if second_end < 0:
        return None
    if _CLOSE.fullmatch(body, second_end + 1) is not None:
        return -1
    after = _MORE.match(body, second_end + 1) if more_members else None
    return None if after is None else after.end() - 1


def _read_array(
    parser: simdjson.Parser,
    body: bytes | bytearray,
    span: tuple[int, int],
    dtype: type[Number],
    slice_bytes: int,
) -> npt.NDArray[Number] | None:
    """The numbers between the `[` before span[0] and the `]` at span[1], parsed a slice at a time."""
    start, end = span
    # as_buffer would flatten a nested array into the numbers, but none gets that far: the array is
    # taken to end at the first `]`, so a nested one leaves a `[` unclosed in its slice, which
    # simdjson refuses.
    kind: Literal["i", "d"] = "i" if dtype is np.int64 else "d"
    # The machine numbers of every slice in a row: a bytearray grows in place, where counting the
    # items first would cost another pass over the body.
    column = bytearray()
    view = memoryview(body)
    position = start
    while True:
        cut = body.find(b",", position + slice_bytes, end)
        stop = end if cut < 0 else cut
        try:
            document = parser.parse(b"".join((b"[", view[position:stop], b"]")))
            if not isinstance(document, simdjson.Array):  # pragma: no cover (brackets make an array)
                return None
            numbers = memoryview(document.as_buffer(of_type=kind))
            # The parser is reused for the next slice only once nothing refers to this document.
            del document
        except _REFUSALS:
            return None
        # Slices are cut at commas, so an empty one means an item is missing (`[1, ]` cut after the
        # comma), unless it is the whole array.
        if not numbers.nbytes and (position, stop) != (start, end):
            return None
        column += numbers
        if stop == end:
            break
        position = stop + 1
    return np.frombuffer(column, dtype=dtype)
