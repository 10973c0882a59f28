"""fit: a series' normal behaviour is its mean and population standard deviation, finite for finite input."""

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anomaly.domain.kinds.gaussian.state import GaussianState, fit
from anomaly.domain.time_series import BatchLimits, TimeSeries

LIMITS = BatchLimits(min_points=1, max_points=1000)
MAX_FLOAT = 1.7976931348623157e308


def fit_values(values: list[float]) -> GaussianState:
    return fit(TimeSeries.parse(list(range(100, 100 + len(values))), values, LIMITS))


@pytest.mark.parametrize(
    "values",
    [
        [1.0, 2.0, 3.0, 4.0],
        [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0],
        [-3.5, 0.25, 10.0],
        [42.0],
        [1e-100, 3e-100, 2e-100],
        [1e6 + 0.1, 1e6 + 0.2, 1e6 + 0.3],
    ],
)
def test_mean_and_population_std(values: list[float]) -> None:
    state = fit_values(values)

    assert math.isclose(state.mean, statistics.fmean(values), rel_tol=1e-12)
    assert math.isclose(state.std, statistics.pstdev(values), rel_tol=1e-9, abs_tol=1e-12 * max(values))


@pytest.mark.parametrize("values", [[1e-300, 3e-300, 2e-300], [0.0, 1e-160], [5e-324, 0.0]])
def test_tiny_values_keep_their_spread(values: list[float]) -> None:
    state = fit_values(values)

    assert math.isclose(state.mean, statistics.mean(values), rel_tol=1e-12)
    assert math.isclose(state.std, statistics.pstdev(values), rel_tol=1e-9)


def test_std_is_population_not_sample() -> None:
    state = fit_values([1.0, 3.0])

    assert state.std == pytest.approx(1.0)


@pytest.mark.parametrize(
    "values",
    [[5.0] * 4, [0.0] * 3, [-7.25] * 10, [0.1] * 3, [0.1] * 7, [0.3] * 10, [123.456] * 5, [3e150] * 5],
)
def test_constant_series_has_zero_std(values: list[float]) -> None:
    state = fit_values(values)

    assert state.std == 0.0
    assert state.mean == values[0]


def test_summary_of_the_batch() -> None:
    series = TimeSeries.parse([10, 20, 35, 90], [3.0, -1.5, 8.25, 0.0], LIMITS)

    state = fit(series)

    assert state.points_used == 4
    assert state.minimum == -1.5
    assert state.maximum == 8.25
    assert state.first_timestamp == 10
    assert state.last_timestamp == 90
    assert state.weight == 4.0


@pytest.mark.parametrize(
    "values",
    [[1e308, 1e308, -1e308], [1e308, -1e308], [MAX_FLOAT, -MAX_FLOAT, MAX_FLOAT], [2.0**1023, 1.0]],
)
def test_huge_values_give_finite_statistics(values: list[float]) -> None:
    state = fit_values(values)

    assert math.isfinite(state.mean)
    assert math.isfinite(state.std)
    assert math.isclose(state.mean, statistics.mean(values), rel_tol=1e-12)
    assert math.isclose(state.std, statistics.pstdev(values), rel_tol=1e-9)


def test_std_of_opposite_extremes() -> None:
    state = fit_values([1e308, -1e308])

    assert state.mean == 0.0
    assert state.std == pytest.approx(1e308, rel=1e-12)


def test_constant_huge_series_is_finite() -> None:
    state = fit_values([1.7e308] * 5)

    assert state.mean == pytest.approx(1.7e308, rel=1e-12)
    assert math.isfinite(state.std)
    assert 0.0 <= state.std <= 1e-12 * 1.7e308


@settings(deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=50))
def test_any_finite_values_give_finite_mean_within_range_and_nonnegative_std(values: list[float]) -> None:
    state = fit_values(values)

    low, high = min(values), max(values)
    slack = 4 * len(values) * math.ulp(max(abs(low), abs(high)))
    assert math.isfinite(state.mean)
    assert low - slack <= state.mean <= high + slack
    assert math.isfinite(state.std)
    assert state.std >= 0.0
    assert (state.minimum, state.maximum) == (low, high)
    assert state.points_used == len(values)


# Moderate: zero or a magnitude between 1e-100 and 1e6 (tiny magnitudes have their own test above).
moderate_floats: st.SearchStrategy[float] = st.one_of(
    st.just(0.0), st.floats(min_value=1e-100, max_value=1e6), st.floats(min_value=-1e6, max_value=-1e-100)
)


@settings(deadline=None)
@given(st.lists(moderate_floats, min_size=1, max_size=50))
def test_moderate_values_match_the_statistics_module(values: list[float]) -> None:
    state = fit_values(values)

    # Rounding in the sum is bounded by the largest magnitude, so allow that much absolute error
    # (a cancelling sum such as [1e6, 0.1, -1e6] leaves a small mean with few exact digits).
    tolerance = 1e-12 * max(abs(value) for value in values)
    assert math.isclose(state.mean, statistics.fmean(values), rel_tol=1e-9, abs_tol=tolerance)
    assert math.isclose(state.std, statistics.pstdev(values), rel_tol=1e-9, abs_tol=tolerance)
