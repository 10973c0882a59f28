"""A batch body (fit, update and detect): its timestamps and values as int64 and float64 columns, and
for a fit the model kind and parameters it asks for."""

from typing import Any, Literal

import anyio.to_thread
import msgspec
import numpy as np

from anomaly.adapters.http.requests.number_columns import Columns, read_columns
from anomaly.adapters.http.requests.strict_json import DECODE_INLINE_LIMIT, MalformedBody, decode_strictly
from anomaly.adapters.http.requests.timestamps import batch_timestamps
from anomaly.adapters.http.schemas import (
    BATCH_KEYS,
    MODEL_KEYS,
    DetectRequest,
    FitRequest,
    WholeTimestampsFit,
    WholeTimestampsRequest,
)
from anomaly.domain.errors import InvalidInput
from anomaly.ports.batch_reader import ReadBatch

# How a body was read: by the column reader (plain), by msgspec with integer timestamps (strict),
# or by msgspec again with timestamps written as 7.0 or as strings (lenient).
Route = Literal["plain", "strict", "lenient"]


class JsonBatchReader:
    """The BatchReader of `{"timestamps": [int, ...], "values": [number, ...]}` bodies, which may also
    name a model `kind` and its `parameters`.

    Bodies over `columns_above` bytes try the column reader first; below that size msgspec is as
    fast, and the thread hop that a large body takes anyway is not paid.
    """

    def __init__(self, columns_above: int = DECODE_INLINE_LIMIT) -> None:
        self._columns_above = columns_above

    def read(self, serialised: bytes | bytearray) -> ReadBatch:
        columns, payload, route = self._decode(serialised, WholeTimestampsFit, FitRequest)
        kind, parameters = (payload.kind, payload.parameters) if payload is not None else (None, None)
        # Parameters are a JSON object of their own, whose keys `_unambiguous` does not count.
        if (route == "plain" and payload is None) or (
            route != "lenient" and parameters is None and _unambiguous(serialised)
        ):
            return ReadBatch(columns.timestamps, columns.values, kind=kind, parameters=parameters)
        restated = msgspec.json.encode(
            WholeTimestampsFit(columns.timestamps.tolist(), columns.values.tolist(), kind, parameters)
        )
        return ReadBatch(columns.timestamps, columns.values, restated, kind, parameters)

    def columns(self, serialised: bytes | bytearray) -> Columns:
        """A batch that is judged, not stored: its columns only, and no model may be named."""
        return self._decode(serialised, WholeTimestampsRequest, DetectRequest)[0]

    def stored_columns(self, serialised: bytes | bytearray) -> Columns:
        """The columns of a batch `read` let through to storage (which may name a model)."""
        return self._decode(serialised, WholeTimestampsFit, FitRequest)[0]

    def _decode(
        self, body: bytes | bytearray, strict: type[WholeTimestampsRequest], lenient: type[DetectRequest]
    ) -> tuple[Columns, Any, Route]:
        if len(body) > self._columns_above:
            columns = read_columns(body, more_members=strict is WholeTimestampsFit)
            if columns is not None:
                # The column reader takes only two unescaped keys, once each, and numbers in the arrays;
                # a fit's body may name its model after them, in members that msgspec reads.
                model = None if columns.more is None else _model_members(body, columns.more)
                if columns.more is None or model is not None:
                    return columns, model, "plain"
        try:
            payload: Any = decode_strictly(body, strict)
            route: Route = "strict"
        except InvalidInput:
            # Rarer: timestamps written as 7.0 or as strings. Decoding again with the published type
            # accepts them, or raises the error that names what is really wrong.
            payload = decode_strictly(body, lenient)
            payload.timestamps = batch_timestamps(body, payload.timestamps)
            route = "lenient"
        # The strict types admit only integers from 0 to 2**63 - 1 and floats: both convert exactly.
        columns = Columns(
            np.array(payload.timestamps, dtype=np.int64), np.array(payload.values, dtype=np.float64)
        )
        return columns, payload, route


class _ModelMembers(msgspec.Struct, forbid_unknown_fields=True):
    """What may follow the arrays of a fit's body: FitRequest's other fields."""

    kind: str | None = None
    parameters: dict[str, Any] | None = None


def _model_members(body: bytes | bytearray, comma: int) -> _ModelMembers | None:
    """The members after the arrays, from the comma before them; None if they are anything else (a
    key given again, one unknown, JSON broken), which the whole body's msgspec decoding then names.
    """
    try:
        return decode_strictly(b"{" + body[comma + 1 :], _ModelMembers)
    except (InvalidInput, MalformedBody):
        return None


_READER = JsonBatchReader()


async def read_batch_columns(body: bytes | bytearray) -> Columns:
    """A batch to judge (detect): its columns, decoded on a worker thread when the body is large."""
    if len(body) <= DECODE_INLINE_LIMIT:
        return _READER.columns(body)
    return await anyio.to_thread.run_sync(_READER.columns, body)


async def read_stored_columns(content: bytes | bytearray) -> Columns:
    """A version's training data (a fit's or an update's batch, as stored): its columns."""
    if len(content) <= DECODE_INLINE_LIMIT:
        return _READER.stored_columns(content)
    return await anyio.to_thread.run_sync(_READER.stored_columns, content)


def _unambiguous(body: bytes | bytearray) -> bool:
    """JSON lets a key appear twice (the decoder keeps the last) or be spelt with escapes, and a stored
    copy must not be read differently by another parser. With only numbers in the arrays, a key name
    can appear in the body only as a key, so counting them shows the body is unambiguous (a string among
    the parameters that spells a key only makes the batch restated).
    """
    return (
        b"\\" not in body
        and all(body.count(f'"{key}"'.encode()) == 1 for key in BATCH_KEYS)
        and all(body.count(f'"{key}"'.encode()) <= 1 for key in MODEL_KEYS)
    )
