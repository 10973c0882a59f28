"""The gaussian model's state: the mean and population standard deviation of what it has learnt."""

import math
from dataclasses import dataclass

import numpy as np

from anomaly.domain.time_series import TimeSeries, Timestamps, Values

# Outside this range of magnitudes, summing squares could overflow or underflow float64, so the
# statistics are computed on values scaled by a power of two (exact in binary floating point).
_SMALLEST_SAFE = 2.0**-400
_LARGEST_SAFE = 2.0**490


@dataclass(frozen=True, slots=True)
class GaussianState:
    """Everything detection needs to judge a new point; immutable once fitted.

    `weight` is how many points the moments stand for: `points_used` unless an update forgot some
    of the past (a half-life), in which case older points count for less.
    """

    mean: float
    std: float
    points_used: int
    minimum: float
    maximum: float
    first_timestamp: int
    last_timestamp: int
    weight: float


def fit(series: TimeSeries) -> GaussianState:
    """Learn the series' mean and population standard deviation (ddof=0), finite for any finite input."""
    minimum, maximum = float(series.values.min()), float(series.values.max())
    mean, std = _moments(series.values, minimum, maximum)
    return GaussianState(
        mean=mean,
        std=std,
        points_used=len(series),
        minimum=minimum,
        maximum=maximum,
        first_timestamp=series.first_timestamp,
        last_timestamp=series.last_timestamp,
        weight=float(len(series)),
    )


def merged(
    state: GaussianState, timestamps: Timestamps, values: Values, half_life: float | None
) -> GaussianState:
    """`state` having also learnt `values`: with no half-life, exactly the moments of every point
    (Chan et al.'s pairwise combination); with one, the past's weight halves every `half_life` new
    points, so a lasting change becomes the new normal."""
    count = int(values.shape[0])
    if count == 0:
        return state
    minimum = min(state.minimum, float(values.min()))
    maximum = max(state.maximum, float(values.max()))
    kept = state.weight if half_life is None else state.weight * 0.5 ** (count / half_life)
    if minimum == maximum:
        mean, std = minimum, 0.0
    else:
        # Combined in units of a power of two near the largest magnitude, so squares cannot overflow.
        exponent = math.frexp(max(abs(minimum), abs(maximum)))[1]
        batch_mean, batch_std = _moments(np.ldexp(values, -exponent), *_scaled(values, exponent))
        old_mean, old_std = math.ldexp(state.mean, -exponent), math.ldexp(state.std, -exponent)
        total = kept + count
        delta = batch_mean - old_mean
        scaled_mean = old_mean + delta * count / total
        spread = old_std**2 * kept + batch_std**2 * count + delta**2 * kept * count / total
        mean = min(max(math.ldexp(scaled_mean, exponent), minimum), maximum)
        std = math.ldexp(math.sqrt(max(spread, 0.0) / total), exponent)
    return GaussianState(
        mean=mean,
        std=std,
        points_used=state.points_used + count,
        minimum=minimum,
        maximum=maximum,
        first_timestamp=min(state.first_timestamp, int(timestamps.min())),
        last_timestamp=max(state.last_timestamp, int(timestamps.max())),
        weight=kept + count,
    )


def _scaled(values: Values, exponent: int) -> tuple[float, float]:
    return math.ldexp(float(values.min()), -exponent), math.ldexp(float(values.max()), -exponent)


def _moments(values: Values, minimum: float, maximum: float) -> tuple[float, float]:
    if minimum == maximum:
        # Exactly constant: summation rounding must not invent a spread or move the mean.
        return minimum, 0.0
    largest = max(abs(minimum), abs(maximum))
    if _SMALLEST_SAFE <= largest <= _LARGEST_SAFE:
        mean, std = float(values.mean()), float(values.std())
    else:
        exponent = math.frexp(largest)[1]
        scaled = np.ldexp(values, -exponent)
        mean = math.ldexp(float(scaled.mean()), exponent)
        std = math.ldexp(float(scaled.std()), exponent)
    return min(max(mean, minimum), maximum), std
