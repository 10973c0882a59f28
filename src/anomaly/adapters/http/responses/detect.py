"""The answer to `POST /detect`: a `DetectResponse` document, streamed in slices when large."""

from collections.abc import Iterator

import msgspec
import numpy as np
import numpy.typing as npt
from litestar import MediaType, Response
from litestar.response import Stream

from anomaly.adapters.http.schemas import DetectResponse
from anomaly.use_cases.detect import Detection

POINTS_PER_SLICE = 65_536
# msgspec writes a Struct's fields in declaration order, and DetectResponse declares the columns last.
_EMPTY_COLUMNS = b'"anomaly":[],"score":[]}'


# As one document, a million verdicts and scores are two million Python objects and ~25 MB of JSON at
# once. Written in slices, only one slice's objects and bytes exist at a time; the document is the same,
# byte for byte, as msgspec writes for the whole `DetectResponse`. Everything that can fail (validation,
# the version, the verdicts) is done before the first byte, so the status is always right.
def detect_response(series_id: str, detection: Detection) -> Response[bytes] | Stream:
    parts = _encode(series_id, detection)
    if detection.verdicts.anomaly.shape[0] <= POINTS_PER_SLICE:
        return Response(b"".join(parts), media_type=MediaType.JSON)
    # Litestar pulls each part on a worker thread: encoding stays off the event loop.
    return Stream(parts, media_type=MediaType.JSON)


def _encode(series_id: str, detection: Detection) -> Iterator[bytes]:
    verdicts = detection.verdicts
    summary = msgspec.json.encode(
        DetectResponse(
            series_id=series_id,
            model_version=detection.version,
            points=int(verdicts.anomaly.shape[0]),
            anomalies=verdicts.flagged,
            lower=detection.band.lower,
            upper=detection.band.upper,
            mean=detection.state.mean,
            std=detection.state.std,
            anomaly=[],
            score=[],
        )
    )
    if not summary.endswith(_EMPTY_COLUMNS):  # pragma: no cover (guards the field order above)
        raise AssertionError("DetectResponse must end with its anomaly and score columns")
    yield summary[: -len(_EMPTY_COLUMNS)] + b'"anomaly":['
    yield from _items(verdicts.anomaly)
    yield b'],"score":['
    # NaN marks an undefined score; msgspec writes non-finite floats as null.
    yield from _items(verdicts.score)
    yield b"]}"


def _items(column: npt.NDArray[np.bool_] | npt.NDArray[np.float64]) -> Iterator[bytes]:
    """The column's items as JSON, without the brackets, one slice at a time."""
    for start in range(0, column.shape[0], POINTS_PER_SLICE):
        encoded = msgspec.json.encode(column[start : start + POINTS_PER_SLICE].tolist())
        yield (b"," if start else b"") + encoded[1:-1]
