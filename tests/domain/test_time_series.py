"""TimeSeries.parse: a batch becomes int64 timestamps and finite float64 values, or a precise error."""

import math
from typing import cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anomaly.domain.errors import InvalidInput
from anomaly.domain.time_series import MAX_TIMESTAMP, BatchLimits, RawTimestamps, RawValues, TimeSeries

LIMITS = BatchLimits(min_points=3, max_points=10)
WIDE = BatchLimits(min_points=1, max_points=100)

finite_floats: st.SearchStrategy[float] = st.floats(allow_nan=False, allow_infinity=False)
non_finite: st.SearchStrategy[float] = st.sampled_from([math.nan, math.inf, -math.inf])


@st.composite
def batches(draw: st.DrawFn, min_size: int = 1, max_size: int = 50) -> tuple[list[int], list[float]]:
    """Strictly increasing non-negative int64 timestamps paired with finite floats."""
    timestamps = sorted(
        draw(
            st.lists(
                st.integers(min_value=0, max_value=MAX_TIMESTAMP),
                min_size=min_size,
                max_size=max_size,
                unique=True,
            )
        )
    )
    values = draw(st.lists(finite_floats, min_size=len(timestamps), max_size=len(timestamps)))
    return timestamps, values


def parse_error(timestamps: list[int], values: list[float], limits: BatchLimits = WIDE) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        TimeSeries.parse(timestamps, values, limits)
    return caught.value


def test_valid_batch_keeps_dtypes_and_values() -> None:
    series = TimeSeries.parse([0, 10, MAX_TIMESTAMP], [1.5, -2, 0.0], LIMITS)

    assert series.timestamps.dtype == np.int64
    assert series.values.dtype == np.float64
    assert series.timestamps.tolist() == [0, 10, MAX_TIMESTAMP]
    assert series.values.tolist() == [1.5, -2.0, 0.0]
    assert len(series) == 3
    assert series.first_timestamp == 0
    assert series.last_timestamp == MAX_TIMESTAMP


def test_extreme_finite_values_are_kept() -> None:
    values = [1.7976931348623157e308, -1.7976931348623157e308, 5e-324]

    series = TimeSeries.parse([1, 2, 3], values, LIMITS)

    assert series.values.tolist() == values


@pytest.mark.parametrize(("timestamps", "values"), [([1, 2, 3], [1.0, 2.0]), ([1, 2], [1.0, 2.0, 3.0])])
def test_lengths_that_differ_are_rejected_on_values(timestamps: list[int], values: list[float]) -> None:
    assert parse_error(timestamps, values, LIMITS).field == "values"


@pytest.mark.parametrize("count", [0, 1, 2])
def test_fewer_than_min_points_are_rejected(count: int) -> None:
    error = parse_error(list(range(count)), [1.0] * count, LIMITS)

    assert error.field == "values"
    assert "at least 3" in error.reason


@pytest.mark.parametrize("count", [11, 50])
def test_more_than_max_points_are_rejected(count: int) -> None:
    error = parse_error(list(range(count)), [1.0] * count, LIMITS)

    assert error.field == "values"
    assert "at most 10" in error.reason


@pytest.mark.parametrize("count", [3, 10])
def test_point_counts_at_the_limits_are_accepted(count: int) -> None:
    assert len(TimeSeries.parse(list(range(count)), [1.0] * count, LIMITS)) == count


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("index", [0, 2, 4])
def test_non_finite_values_name_the_first_bad_index(bad: float, index: int) -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    values[index] = bad
    for later in range(index + 1, len(values)):
        values[later] = math.nan  # later bad values must not hide the first one

    assert parse_error([1, 2, 3, 4, 5], values).field == f"values[{index}]"


# Element types are the caller's contract (the HTTP edge decodes JSON strictly: tests/api covers
# strings, bools and nulls there); the domain still refuses what cannot be a number at all.
@pytest.mark.parametrize("bad", ["abc", "", None, [1.0], {"v": 1.0}])
def test_values_that_cannot_be_numbers_are_rejected(bad: object) -> None:
    values = cast("list[float]", [1.0, bad, 3.0])

    assert parse_error([1, 2, 3], values).field == "values[1]"


def test_nested_values_are_rejected() -> None:
    values = cast("list[float]", [[1.0], [2.0]])

    assert parse_error([1, 2], values).field == "values"


def test_integer_value_too_large_for_float64_is_rejected() -> None:
    values = cast("list[float]", [1.0, 10**400])

    assert parse_error([1, 2], values).field == "values[1]"


def test_the_first_bad_value_is_named_whatever_its_kind() -> None:
    values = cast("list[float]", [1.0, math.nan, "abc"])

    assert parse_error([1, 2, 3], values).field == "values[1]"


@pytest.mark.parametrize(
    ("timestamps", "field"),
    [([-1, 1, 2], "timestamps[0]"), ([0, -5, 2], "timestamps[1]"), ([0, 1, -(2**63)], "timestamps[2]")],
)
def test_negative_timestamps_are_rejected(timestamps: list[int], field: str) -> None:
    assert parse_error(timestamps, [1.0, 2.0, 3.0]).field == field


@pytest.mark.parametrize(
    ("timestamps", "field"),
    [
        ([2**63, 2**63 + 1], "timestamps[0]"),
        ([1, 2**63], "timestamps[1]"),
        ([1, 2**64], "timestamps[1]"),
        ([-(2**63) - 1, 1], "timestamps[0]"),
    ],
)
def test_timestamps_outside_int64_are_rejected(timestamps: list[int], field: str) -> None:
    assert parse_error(timestamps, [1.0, 2.0]).field == field


@pytest.mark.parametrize("bad", ["abc", None, [1]])
def test_timestamps_that_cannot_be_integers_are_rejected(bad: object) -> None:
    timestamps = cast("list[int]", [0, bad, 10])

    assert parse_error(timestamps, [1.0, 2.0, 3.0]).field == "timestamps[1]"


@pytest.mark.parametrize(
    ("timestamps", "field"),
    [
        ([1, 1], "timestamps[1]"),
        ([1, 2, 2, 3], "timestamps[2]"),
        ([5, 4], "timestamps[1]"),
        ([1, 3, 2, 4], "timestamps[2]"),
        ([1, 2, 3, 3, 0], "timestamps[3]"),
    ],
)
def test_timestamps_must_strictly_increase(timestamps: list[int], field: str) -> None:
    error = parse_error(timestamps, [1.0] * len(timestamps))

    assert error.field == field
    assert "strictly increasing" in error.reason


@settings(deadline=None)
@given(batches())
def test_any_valid_batch_parses_and_round_trips(batch: tuple[list[int], list[float]]) -> None:
    timestamps, values = batch

    series = TimeSeries.parse(timestamps, values, BatchLimits(min_points=1, max_points=50))

    assert series.timestamps.dtype == np.int64
    assert series.values.dtype == np.float64
    assert series.timestamps.tolist() == timestamps
    assert series.values.tolist() == values
    assert [math.copysign(1.0, v) for v in series.values.tolist()] == [math.copysign(1.0, v) for v in values]
    assert series.first_timestamp == timestamps[0]
    assert series.last_timestamp == timestamps[-1]


@settings(deadline=None)
@given(batches(), st.data())
def test_one_non_finite_value_is_named_by_its_index(
    batch: tuple[list[int], list[float]], data: st.DataObject
) -> None:
    timestamps, values = batch
    index = data.draw(st.integers(min_value=0, max_value=len(values) - 1), label="index")
    values[index] = data.draw(non_finite, label="bad")

    assert parse_error(timestamps, values).field == f"values[{index}]"


@settings(deadline=None)
@given(batches(min_size=2), st.data())
def test_swapping_two_adjacent_timestamps_is_rejected(
    batch: tuple[list[int], list[float]], data: st.DataObject
) -> None:
    timestamps, values = batch
    index = data.draw(st.integers(min_value=0, max_value=len(timestamps) - 2), label="index")
    timestamps[index], timestamps[index + 1] = timestamps[index + 1], timestamps[index]

    assert parse_error(timestamps, values).field == f"timestamps[{index + 1}]"


@st.composite
def raw_batches(draw: st.DrawFn) -> tuple[list[int], list[float]]:
    """Batches as int64 and float64 arrays can hold them, valid or not: any order, NaN, infinities."""
    size = draw(st.integers(0, 20))
    timestamps = draw(st.lists(st.integers(-(2**63), MAX_TIMESTAMP), min_size=size, max_size=size))
    if draw(st.booleans()):
        timestamps.sort()
    values = draw(st.lists(st.floats(), min_size=size, max_size=size + draw(st.sampled_from([0, 0, 1]))))
    return timestamps, values


def outcome(timestamps: RawTimestamps, values: RawValues) -> tuple[object, ...]:
    try:
        series = TimeSeries.parse(timestamps, values, WIDE)
    except InvalidInput as error:
        return ("invalid", error.field, error.reason)
    return ("parsed", series.timestamps.tobytes(), series.values.tobytes())


@settings(deadline=None)
@given(raw_batches())
def test_arrays_are_judged_as_the_lists_they_hold(batch: tuple[list[int], list[float]]) -> None:
    timestamps, values = batch
    arrays = np.array(timestamps, dtype=np.int64), np.array(values, dtype=np.float64)

    assert outcome(*arrays) == outcome(timestamps, values)


def test_arrays_of_the_right_types_are_kept_not_copied() -> None:
    timestamps = np.array([1, 2, 3], dtype=np.int64)
    values = np.array([1.0, 2.0, 3.0])

    series = TimeSeries.parse(timestamps, values, LIMITS)

    assert series.timestamps is timestamps
    assert series.values is values
