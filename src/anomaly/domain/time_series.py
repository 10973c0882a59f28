"""A validated batch of observations: int64 timestamps (strictly increasing, where the batch is a
history) with finite float64 values."""

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from anomaly.domain.errors import InvalidInput

INT64_MAX = 2**63 - 1
MAX_TIMESTAMP = INT64_MAX

T = TypeVar("T")

Timestamps = npt.NDArray[np.int64]
Values = npt.NDArray[np.float64]
# A batch as a caller holds it: arrays (the HTTP edge decodes large bodies straight into them) or lists.
RawTimestamps = Timestamps | Sequence[int]
RawValues = Values | Sequence[float]


@dataclass(frozen=True, slots=True)
class BatchLimits:
    """How many points one batch may hold, and whether their timestamps must strictly increase.

    A history (a fit) must; points only to be judged may repeat a timestamp or come out of order,
    as real streams do, since each is judged on its own.
    """

    min_points: int
    max_points: int
    in_order: bool = True


@dataclass(frozen=True, slots=True, eq=False)
class TimeSeries:
    """Only `parse` builds one, so every instance already satisfies the rules below."""

    timestamps: Timestamps
    values: Values

    def __len__(self) -> int:
        return int(self.values.shape[0])

    @property
    def first_timestamp(self) -> int:
        return int(self.timestamps[0])

    @property
    def last_timestamp(self) -> int:
        return int(self.timestamps[-1])

    @classmethod
    def parse(cls, timestamps: RawTimestamps, values: RawValues, limits: BatchLimits) -> "TimeSeries":
        """Validate a batch; raise `InvalidInput` naming the offending field the way the client wrote it.

        Element types are the caller's side of the contract (the HTTP edge decodes JSON strictly, so
        no string, bool or null arrives); this enforces every rule on the values themselves. Arrays
        of the right dtype are kept as they are, not copied.
        """
        if len(timestamps) != len(values):
            raise InvalidInput(
                "values",
                f"has {len(values)} items but timestamps has {len(timestamps)}: they must pair one to one",
            )
        count = len(values)
        if count < limits.min_points:
            raise InvalidInput("values", f"has {count} points, at least {limits.min_points} are required")
        if count > limits.max_points:
            raise InvalidInput("values", f"has {count} points, at most {limits.max_points} are accepted")
        return cls(_parse_timestamps(timestamps, limits.in_order), _parse_values(values))


def _parse_values(raw: RawValues) -> Values:
    try:
        array = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        index, _ = _first(raw, lambda item: not _is_finite_number(item))
        raise InvalidInput(f"values[{index}]", "must be a finite number representable as float64") from None
    if array.ndim != 1:
        raise InvalidInput("values", "must be a flat list of numbers")
    finite = np.isfinite(array)
    if not finite.all():
        index = int(np.argmin(finite))
        raise InvalidInput(f"values[{index}]", "must be a finite number (NaN and infinity are not values)")
    return array


def _parse_timestamps(raw: RawTimestamps, in_order: bool) -> Timestamps:
    try:
        array = np.asarray(raw, dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        index, _ = _first(raw, lambda item: not (_is_integer(item) and 0 <= item <= MAX_TIMESTAMP))
        raise InvalidInput(
            f"timestamps[{index}]", f"must be an integer between 0 and {MAX_TIMESTAMP}"
        ) from None
    if array.ndim != 1:
        raise InvalidInput("timestamps", "must be a flat list of integers")
    if array.shape[0] and (int(array.min()) < 0 or int(array.max()) > MAX_TIMESTAMP):
        index = int(np.argmax((array < 0) | (array > MAX_TIMESTAMP)))
        raise InvalidInput(f"timestamps[{index}]", f"must be between 0 and {MAX_TIMESTAMP}")
    if in_order and array.shape[0] > 1:
        increasing = array[1:] > array[:-1]
        if not increasing.all():
            index = int(np.argmin(increasing)) + 1
            raise InvalidInput(
                f"timestamps[{index}]",
                f"must be greater than timestamps[{index - 1}] ({int(array[index - 1])}): "
                "timestamps must be strictly increasing",
            )
    return array


def _is_finite_number(item: object) -> bool:
    # bool is an int subclass, but a flag is never a measurement.
    if not isinstance(item, int | float) or isinstance(item, bool):
        return False
    try:
        return math.isfinite(float(item))
    except OverflowError:
        return False


def _is_integer(item: object) -> bool:
    return isinstance(item, int) and not isinstance(item, bool)


def _first(raw: Iterable[T], broken: Callable[[T], bool]) -> tuple[int, T]:
    """Locate the item that made a vectorised conversion fail; only runs on the error path."""
    for index, item in enumerate(raw):
        if broken(item):
            return index, item
    raise AssertionError("conversion failed but no item breaks the rule")  # pragma: no cover


def validate_point(timestamp: int, value: float) -> None:
    """The rules of a batch, for a single observation."""
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or not 0 <= timestamp <= MAX_TIMESTAMP:
        raise InvalidInput("timestamp", f"must be an integer between 0 and {MAX_TIMESTAMP}")
    if not _is_finite_number(value):
        raise InvalidInput("value", "must be a finite number (NaN and infinity are not values)")
