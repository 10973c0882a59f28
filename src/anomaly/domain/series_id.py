"""The identifier of a time series, safe to use as a file name by construction."""

import re
from dataclasses import dataclass

from anomaly.domain.errors import InvalidInput

MAX_SERIES_ID_LENGTH = 128
_ALLOWED = re.compile(r"[A-Za-z0-9._-]{1,128}")
_RESERVED = frozenset({".", ".."})
# The same rule as one regular expression without look-arounds, for schemas (OpenAPI) to publish:
# a first character other than '.', or '.' then a non-dot, or '..' then at least one more.
SERIES_ID_PATTERN = (
    r"^(?:[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}"
    r"|\.[A-Za-z0-9_-][A-Za-z0-9._-]{0,126}"
    r"|\.\.[A-Za-z0-9._-]{1,126})$"
)


@dataclass(frozen=True, slots=True)
class SeriesId:
    """1 to 128 characters of `[A-Za-z0-9._-]`, never `.` or `..`: no path can be smuggled through it."""

    value: str

    def __post_init__(self) -> None:
        if not _ALLOWED.fullmatch(self.value):
            raise InvalidInput(
                "series_id",
                f"must be 1 to {MAX_SERIES_ID_LENGTH} characters of letters, digits, '.', '_' or '-'",
            )
        if self.value in _RESERVED:
            raise InvalidInput("series_id", "must not be '.' or '..'")

    def __str__(self) -> str:
        return self.value
