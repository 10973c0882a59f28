"""Decodes a batch body (fit and detect) into integer timestamps and float values."""

from dataclasses import dataclass

import msgspec

from anomaly.adapters.http.body import decode_body
from anomaly.adapters.http.schemas import FIT_REQUEST_KEYS, FitRequest, WholeTimestampsRequest
from anomaly.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Batch:
    payload: WholeTimestampsRequest
    body: bytes
    body_is_exact: bool  # False when the body spelt timestamps as floats

    @property
    def timestamps(self) -> list[int]:
        return self.payload.timestamps

    @property
    def values(self) -> list[float]:
        return self.payload.values

    def canonical(self) -> bytes:
        """The batch serialised for storage: the body itself when it says exactly this, else re-encoded.

        JSON lets a key appear twice (the decoder keeps the last) or be spelt with escapes, and a
        stored copy must not be read differently by another parser. With only numbers in the arrays,
        a key name can appear in the body only as a key, so counting them shows the body is unambiguous.
        """
        body = self.body
        if (
            self.body_is_exact
            and b"\\" not in body
            and all(body.count(f'"{key}"'.encode()) == 1 for key in FIT_REQUEST_KEYS)
        ):
            return body
        return msgspec.json.encode(self.payload)


async def decode_batch(body: bytes) -> Batch:
    try:
        return Batch(await decode_body(body, WholeTimestampsRequest), body, body_is_exact=True)
    except InvalidInput:
        # Rare: timestamps written as 7.0. Decoding again with the published type accepts them, or
        # raises the error that names what is really wrong.
        lenient = await decode_body(body, FitRequest)
        whole = WholeTimestampsRequest([int(stamp) for stamp in lenient.timestamps], lenient.values)
        return Batch(whole, body, body_is_exact=False)
