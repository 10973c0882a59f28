"""Query parameters shared by several endpoints, declared explicitly for Litestar and OpenAPI.

Litestar parses their types; the rules on their values live in the domain and the use cases, so
that a bad value gets the same `invalid_input` answer naming the parameter as a bad body field.
"""

from typing import Annotated

from litestar.params import QueryParameter

from anomaly.domain.detection import Direction
from anomaly.use_cases.pagination import MAX_LIMIT

VersionQuery = Annotated[
    str | None,
    QueryParameter(description="A version number, `7` or `v7`; the latest version when absent."),
]
KQuery = Annotated[
    float,
    QueryParameter(
        description="How many standard deviations from the mean still count as normal (0 to 1e6)."
    ),
]
DirectionQuery = Annotated[
    Direction,
    QueryParameter(description="`up` flags values above the band, `down` below it, `both` either side."),
]
LimitQuery = Annotated[int, QueryParameter(description=f"Items per page, 1 to {MAX_LIMIT}.")]
OffsetQuery = Annotated[int, QueryParameter(description="Items to skip, 0 or more.")]
