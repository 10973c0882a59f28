"""A point body (predict): one observation's timestamp and value."""

import anyio.to_thread

from anomaly.adapters.http.requests.strict_json import DECODE_INLINE_LIMIT, decode_strictly
from anomaly.adapters.http.schemas import PredictRequest
from anomaly.domain.errors import InvalidInput


async def read_point(body: bytes | bytearray) -> tuple[int, float]:
    """(timestamp, value); the timestamp as an integer, however the client wrote it."""
    if len(body) <= DECODE_INLINE_LIMIT:
        payload = decode_strictly(body, PredictRequest)
    else:
        payload = await anyio.to_thread.run_sync(decode_strictly, body, PredictRequest)
    return _timestamp(payload.timestamp), payload.value


def _timestamp(timestamp: int | float | str) -> int:
    if isinstance(timestamp, float):
        return int(timestamp)  # whole and in range, as the payload type guarantees
    if isinstance(timestamp, str):
        if not (timestamp.isascii() and timestamp.isdigit()):
            raise InvalidInput("timestamp", f"must be an integer or a string of digits, got {timestamp!r}")
        return int(timestamp)
    return timestamp
