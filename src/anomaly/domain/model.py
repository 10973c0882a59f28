"""The model: what is normal for a series, learnt as the mean and population standard deviation."""

import math
from dataclasses import dataclass

import numpy as np

from anomaly.domain.time_series import TimeSeries, Values

# The kind of model this module fits; a version records it, so that other kinds can join it.
KIND = "gaussian"

# Outside this range of magnitudes, summing squares could overflow or underflow float64, so the
# statistics are computed on values scaled by a power of two (exact in binary floating point).
_SMALLEST_SAFE = 2.0**-400
_LARGEST_SAFE = 2.0**490


@dataclass(frozen=True, slots=True)
class ModelState:
    """Everything detection needs to judge a new point; immutable once fitted."""

    mean: float
    std: float
    points_used: int
    minimum: float
    maximum: float
    first_timestamp: int
    last_timestamp: int


def fit(series: TimeSeries) -> ModelState:
    """Learn the series' mean and population standard deviation (ddof=0), finite for any finite input."""
    minimum = float(series.values.min())
    maximum = float(series.values.max())
    if minimum == maximum:
        # Exactly constant: summation rounding must not invent a spread or move the mean.
        mean, std = minimum, 0.0
    else:
        mean, std = _moments(series.values)
        mean = min(max(mean, minimum), maximum)
    return ModelState(
        mean=mean,
        std=std,
        points_used=len(series),
        minimum=minimum,
        maximum=maximum,
        first_timestamp=series.first_timestamp,
        last_timestamp=series.last_timestamp,
    )


def _moments(values: Values) -> tuple[float, float]:
    largest = float(np.abs(values).max())
    if _SMALLEST_SAFE <= largest <= _LARGEST_SAFE:
        return float(values.mean()), float(values.std())
    exponent = math.frexp(largest)[1]
    scaled = np.ldexp(values, -exponent)
    return math.ldexp(float(scaled.mean()), exponent), math.ldexp(float(scaled.std()), exponent)
