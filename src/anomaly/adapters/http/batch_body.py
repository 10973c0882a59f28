"""Decodes a batch body (fit and detect) into int64 timestamps and float64 values."""

from dataclasses import dataclass

import anyio.to_thread
import msgspec
import numpy as np

from anomaly.adapters.http.body import DECODE_INLINE_LIMIT, decode_body_now
from anomaly.adapters.http.number_columns import read_columns
from anomaly.adapters.http.schemas import FIT_REQUEST_KEYS, FitRequest, WholeTimestampsRequest
from anomaly.domain.errors import InvalidInput
from anomaly.domain.time_series import Timestamps, Values
from anomaly.ports.batch_reader import ReadBatch


@dataclass(frozen=True, slots=True)
class Batch:
    timestamps: Timestamps
    values: Values
    body: bytes | bytearray
    # The body says exactly this batch, in a way no parser can read differently: it may be stored as is.
    body_is_canonical: bool

    def canonical(self) -> bytes | bytearray:
        """The batch serialised for storage: the body itself when it says exactly this, else re-encoded."""
        if self.body_is_canonical:
            return self.body
        return msgspec.json.encode(WholeTimestampsRequest(self.timestamps.tolist(), self.values.tolist()))


async def decode_batch(body: bytes | bytearray) -> Batch:
    if len(body) <= DECODE_INLINE_LIMIT:
        return read_batch(body)
    return await anyio.to_thread.run_sync(read_batch, body)


def read_batch(body: bytes | bytearray, columns_above: int = DECODE_INLINE_LIMIT) -> Batch:
    """`decode_batch` on the calling thread; bodies over `columns_above` bytes try the column reader first.

    Below that size msgspec is as fast, and the thread hop that a large body takes anyway is not paid.
    """
    if len(body) > columns_above:
        columns = read_columns(body)
        if columns is not None:
            # The column reader takes only two unescaped keys, once each, and numbers in the arrays.
            return Batch(columns.timestamps, columns.values, body, body_is_canonical=True)
    try:
        payload = decode_body_now(body, WholeTimestampsRequest)
        exact = True
    except InvalidInput:
        # Rare: timestamps written as 7.0. Decoding again with the published type accepts them, or
        # raises the error that names what is really wrong.
        lenient = decode_body_now(body, FitRequest)
        payload = WholeTimestampsRequest([int(stamp) for stamp in lenient.timestamps], lenient.values)
        exact = False
    # The strict types admit only integers from 0 to 2**63 - 1 and floats: both convert exactly.
    return Batch(
        np.array(payload.timestamps, dtype=np.int64),
        np.array(payload.values, dtype=np.float64),
        body,
        body_is_canonical=exact and _unambiguous(body),
    )


def _unambiguous(body: bytes | bytearray) -> bool:
    """JSON lets a key appear twice (the decoder keeps the last) or be spelt with escapes, and a stored
    copy must not be read differently by another parser. With only numbers in the arrays, a key name
    can appear in the body only as a key, so counting them shows the body is unambiguous.
    """
    return b"\\" not in body and all(body.count(f'"{key}"'.encode()) == 1 for key in FIT_REQUEST_KEYS)


class JsonBatchReader:
    """The BatchReader of JSON batch bodies."""

    def read(self, serialised: bytes | bytearray) -> ReadBatch:
        batch = read_batch(serialised)
        return ReadBatch(
            timestamps=batch.timestamps,
            values=batch.values,
            restated=None if batch.body_is_canonical else bytes(batch.canonical()),
        )
