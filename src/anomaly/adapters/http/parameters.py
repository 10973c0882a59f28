"""Path and query parameters shared by the endpoints, declared once with the rules OpenAPI publishes."""

from typing import Annotated

from litestar.params import PathParameter, QueryParameter

from anomaly.adapters.http.patterns import decimal_range
from anomaly.domain.detection import MAX_K, Direction
from anomaly.domain.series_id import SERIES_ID_PATTERN
from anomaly.domain.versioning import FIRST_VERSION, MAX_VERSION, parse_version
from anomaly.use_cases.pagination import MAX_LIMIT, MAX_OFFSET

# Litestar checks these declarations before a handler runs; the domain and the use cases check the same
# rules again, so that they hold whatever the entry point.
SERIES_ID_DESCRIPTION = "1 to 128 characters of letters, digits, '.', '_' or '-'; not '.' or '..'."
VERSION_PATTERN = decimal_range(FIRST_VERSION, MAX_VERSION, prefix="[vV]?")

SeriesPath = Annotated[str, PathParameter(description=SERIES_ID_DESCRIPTION, pattern=SERIES_ID_PATTERN)]
SeriesQuery = Annotated[str, QueryParameter(description=SERIES_ID_DESCRIPTION, pattern=SERIES_ID_PATTERN)]
VersionPath = Annotated[
    str, PathParameter(description="A version number, `7` or `v7`.", pattern=VERSION_PATTERN)
]
VersionQuery = Annotated[
    str | None,
    QueryParameter(
        description="A version number, `7` or `v7`; the latest version when absent.", pattern=VERSION_PATTERN
    ),
]
KQuery = Annotated[
    float,
    QueryParameter(
        description="How many standard deviations from the mean still count as normal.", ge=0, le=MAX_K
    ),
]
DirectionQuery = Annotated[
    Direction,
    QueryParameter(description="`up` flags values above the band, `down` below it, `both` either side."),
]
LimitQuery = Annotated[int, QueryParameter(description="Items per page.", ge=1, le=MAX_LIMIT)]
OffsetQuery = Annotated[int, QueryParameter(description="Items to skip.", ge=0, le=MAX_OFFSET)]


def optional_version(version: str | None) -> int | None:
    """A `version` query parameter as a number; None (the latest version) when absent."""
    return None if version is None else parse_version(version)
