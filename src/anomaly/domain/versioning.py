"""Version allocation rules: each series counts its fits 1, 2, 3, ... and never hands a number out twice."""

from anomaly.domain.errors import InvalidInput

FIRST_VERSION = 1
VERSION_STEP = 1
# Versions are stored as 32-bit integers; no series will be fitted two billion times.
MAX_VERSION = 2**31 - 1
# The longest a version may be written, `v` and leading zeros included: never thousands of digits,
# which int() refuses (past 4300) and no client means.
MAX_VERSION_TEXT = 64


def next_version(last_allocated: int | None) -> int:
    """The version after `last_allocated`; `None` means the series has never been fitted.

    The counter only moves forward: a deleted version's number stays spent, so a version
    number always names the same model for as long as it exists.
    """
    if last_allocated is None:
        return FIRST_VERSION
    if last_allocated < FIRST_VERSION:
        raise ValueError(f"a series' last version is at least {FIRST_VERSION}, got {last_allocated}")
    return last_allocated + VERSION_STEP


def parse_version(text: str) -> int:
    """Read a version as clients write it: `7` or `v7`."""
    if len(text) > MAX_VERSION_TEXT:
        raise InvalidInput("version", f"must be at most {MAX_VERSION_TEXT} characters, got {len(text)}")
    digits = text[1:] if text[:1] in ("v", "V") else text
    if not digits.isascii() or not digits.isdigit() or not FIRST_VERSION <= int(digits) <= MAX_VERSION:
        raise InvalidInput(
            "version",
            f"must be an integer from {FIRST_VERSION} to {MAX_VERSION} such as 7 or v7, got {text!r}",
        )
    return int(digits)
