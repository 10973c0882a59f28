"""Rules every kind's stored state and parameters share: what a finite number and a half-life are.

A stored document is read back from an artifact, never trusted: each value is checked for its type
and range, and a failure raises TypeError or ValueError, which the model format reports as an
unreadable model.
"""

import math

# The longest forgetting a kind accepts, in points or visits: beyond it nothing is ever forgotten.
MAX_HALF_LIFE = 1e12


def finite_number(value: object, name: str) -> float:
    # bool is an int, and JSON's NaN/Infinity extensions are floats: neither describes a model.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{name} must be finite, got an integer beyond float64") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return number


def int64(value: object, name: str) -> int:
    # Counts and timestamps are stored as 64-bit integers.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if not -(2**63) <= value < 2**63:
        raise ValueError(f"{name} must be a 64-bit integer, got {value!r}")
    return value
