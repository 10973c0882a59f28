"""Request and response payloads, as msgspec Structs: the wire contract of the API."""

from typing import Annotated

import msgspec

INT64_MAX = 2**63 - 1

SERIES_ID_DESCRIPTION = "1 to 128 characters of letters, digits, '.', '_' or '-'; not '.' or '..'."

Timestamp = Annotated[int, msgspec.Meta(ge=0, le=INT64_MAX, description="Integer, e.g. Unix seconds")]


class FitRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A training batch: `timestamps[i]` is when `values[i]` was observed."""

    timestamps: list[Timestamp]
    values: list[float]


FIT_REQUEST_KEYS = FitRequest.__struct_fields__


class FitResponse(msgspec.Struct):
    series_id: str
    success: bool
    message: str
    version: int
    points_used: int


class ErrorResponse(msgspec.Struct):
    """Every failure, ours or the client's, answers in this shape."""

    success: bool
    error: str
    message: str
    field: str | None = None
    series_id: str | None = None
