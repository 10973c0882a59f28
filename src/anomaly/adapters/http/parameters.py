"""Path and query parameters shared by the endpoints, declared once with the rules OpenAPI publishes."""

from typing import Annotated

from litestar.params import PathParameter, QueryParameter

from anomaly.adapters.http.patterns import decimal_range
from anomaly.domain.detection import MAX_K, Direction
from anomaly.domain.series_id import SERIES_ID_PATTERN
from anomaly.domain.versioning import FIRST_VERSION, MAX_VERSION, MAX_VERSION_TEXT, parse_version
from anomaly.use_cases.pagination import MAX_LIMIT, MAX_OFFSET

# Litestar checks these declarations before a handler runs; the domain and the use cases check the same
# rules again, so that they hold whatever the entry point.
SERIES_ID_DESCRIPTION = "1 to 128 characters of letters, digits, '.', '_' or '-'; not '.' or '..'."
VERSION_PATTERN = decimal_range(FIRST_VERSION, MAX_VERSION, prefix="[vV]?")

SeriesPath = Annotated[str, PathParameter(description=SERIES_ID_DESCRIPTION, pattern=SERIES_ID_PATTERN)]
SeriesQuery = Annotated[str, QueryParameter(description=SERIES_ID_DESCRIPTION, pattern=SERIES_ID_PATTERN)]
VersionPath = Annotated[
    str,
    PathParameter(
        description="A version number, `7` or `v7`.", pattern=VERSION_PATTERN, max_length=MAX_VERSION_TEXT
    ),
]
VersionQuery = Annotated[
    str | None,
    QueryParameter(
        description="A version number, `7` or `v7`; the latest version when absent.",
        pattern=VERSION_PATTERN,
        max_length=MAX_VERSION_TEXT,
    ),
]
KQuery = Annotated[
    float,
    QueryParameter(
        description="The band's half-width around the expected value, in the model's scales (standard "
        "deviations for `gaussian`).",
        ge=0,
        le=MAX_K,
    ),
]
DirectionQuery = Annotated[
    Direction | None,
    QueryParameter(
        description="`up` flags values above the expected value, `down` below it, `both` either side; by "
        "default `up` for `gaussian` (the seed's rule) and `both` for the other kinds."
    ),
]
AlertQuery = Annotated[
    float | None,
    QueryParameter(
        description="For `robust` and `seasonal`: the anomaly score from which a point is flagged; by "
        "default the version's `alert` parameter (0.8). `gaussian` flags on its band.",
        gt=0,
        le=1,
        # Litestar leaves a zero bound of an optional parameter out of the schema; published by hand.
        schema_extra={"exclusiveMinimum": 0},
    ),
]
LimitQuery = Annotated[int, QueryParameter(description="Items per page.", ge=1, le=MAX_LIMIT)]
OffsetQuery = Annotated[int, QueryParameter(description="Items to skip.", ge=0, le=MAX_OFFSET)]


def optional_version(version: str | None) -> int | None:
    """A `version` query parameter as a number; None (the latest version) when absent."""
    return None if version is None else parse_version(version)
