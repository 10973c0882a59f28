"""Answers that carry verdicts per point (detect, update): a document whose last fields are the
verdict columns, streamed in slices when large."""

from collections.abc import Iterator

import msgspec
import numpy as np
import numpy.typing as npt
from litestar import MediaType, Response
from litestar.response import Stream

from anomaly.domain.model_kind import Judgement

POINTS_PER_SLICE = 65_536
# A slice with fewer runs of equal items than this fraction of its length is written run by run.
RUNS_WORTH_IT = 1 / 8
# The columns, in the order every verdict document declares them last (msgspec writes a Struct's
# fields in declaration order).
COLUMNS = ("anomaly", "score", "anomaly_score", "expected", "lower_bound", "upper_bound")
_EMPTY_COLUMNS = ",".join(f'"{name}":[]' for name in COLUMNS).encode() + b"}"


# As one document, a million verdicts are millions of Python objects and tens of MB of JSON at once.
# Written in slices, only one slice's objects and bytes exist at a time; the document is the same,
# byte for byte, as msgspec writes for the whole Struct. Everything that can fail (validation, the
# version, the verdicts) is done before the first byte, so the status is always right.
def verdicts_response(header: msgspec.Struct, judgement: Judgement) -> Response[bytes] | Stream:
    """`header` is the document with its columns empty; the judgement's columns are written into it."""
    parts = encode_verdicts(header, judgement)
    if judgement.anomaly.shape[0] <= POINTS_PER_SLICE:
        return Response(b"".join(parts), media_type=MediaType.JSON)
    # Litestar pulls each part on a worker thread: encoding stays off the event loop.
    return Stream(parts, media_type=MediaType.JSON)


def encode_verdicts(header: msgspec.Struct, judgement: Judgement) -> Iterator[bytes]:
    """The document `header` with the judgement's columns written into it, a slice at a time."""
    encoded = msgspec.json.encode(header)
    if not encoded.endswith(_EMPTY_COLUMNS):  # pragma: no cover (guards the field order)
        raise AssertionError(f"{type(header).__name__} must end with the empty columns {COLUMNS}")
    yield encoded[: -len(_EMPTY_COLUMNS)] + b'"anomaly":['
    yield from _items(judgement.anomaly)
    # NaN marks an undefined score; msgspec writes non-finite floats as null.
    for name, column in (
        ("score", judgement.score),
        ("anomaly_score", judgement.anomaly_score),
        ("expected", judgement.expected),
        ("lower_bound", judgement.lower),
        ("upper_bound", judgement.upper),
    ):
        yield f'],"{name}":['.encode()
        yield from _items(column)
    yield b"]}"


def _items(column: npt.NDArray[np.bool_] | npt.NDArray[np.float64]) -> Iterator[bytes]:
    """The column's items as JSON, without the brackets, one slice at a time."""
    for start in range(0, column.shape[0], POINTS_PER_SLICE):
        yield (b"," if start else b"") + _slice(column[start : start + POINTS_PER_SLICE])


def _slice(items: npt.NDArray[np.bool_] | npt.NDArray[np.float64]) -> bytes:
    # Most columns repeat themselves: flags are mostly false, a model's expected value and band are
    # constant (or constant within a season's bucket) over a batch. Each run is then encoded once and
    # repeated as bytes, which costs a fraction of formatting every number; the text is the same.
    # Compared bit for bit, so that -0.0 and 0.0 stay apart and NaNs (null) form runs too.
    bits = items.view(np.uint64) if items.dtype == np.float64 else items
    changes = np.flatnonzero(bits[1:] != bits[:-1])
    if changes.shape[0] >= items.shape[0] * RUNS_WORTH_IT:
        return msgspec.json.encode(items.tolist())[1:-1]
    starts = np.concatenate(([0], changes + 1))
    lengths = np.diff(np.concatenate((starts, [items.shape[0]]))).tolist()
    # A number, true, false or null never holds a comma.
    runs = msgspec.json.encode(items[starts].tolist())[1:-1].split(b",")
    return b",".join((run + b",") * (length - 1) + run for run, length in zip(runs, lengths, strict=True))
