"""A point body (predict): one observation's timestamp and value."""

import anyio.to_thread

from anomaly.adapters.http.requests.strict_json import DECODE_INLINE_LIMIT, decode_strictly
from anomaly.adapters.http.requests.timestamps import point_timestamp
from anomaly.adapters.http.schemas import PredictRequest


async def read_point(body: bytes | bytearray) -> tuple[int, float]:
    """(timestamp, value); the timestamp as an integer, however the client wrote it."""
    if len(body) <= DECODE_INLINE_LIMIT:
        payload = decode_strictly(body, PredictRequest)
    else:
        payload = await anyio.to_thread.run_sync(decode_strictly, body, PredictRequest)
    return point_timestamp(body, payload.timestamp), payload.value
