"""The model: what is normal for a series, learnt as the mean and population standard deviation."""

import math
from dataclasses import dataclass

import numpy as np

from anomaly.domain.time_series import TimeSeries, Values

# Above this magnitude squaring could overflow float64, so statistics are computed on values scaled
# by a power of two (exact in binary floating point) and scaled back.
_SAFE_MAGNITUDE = 2.0**500


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
    mean, std = _moments(series.values)
    return ModelState(
        mean=mean,
        std=std,
        points_used=len(series),
        minimum=float(series.values.min()),
        maximum=float(series.values.max()),
        first_timestamp=series.first_timestamp,
        last_timestamp=series.last_timestamp,
    )


def _moments(values: Values) -> tuple[float, float]:
    largest = float(np.abs(values).max())
    if largest <= _SAFE_MAGNITUDE:
        return float(values.mean()), float(values.std())
    scale = 2.0 ** math.frexp(largest)[1]
    scaled = values / scale
    return float(scaled.mean()) * scale, float(scaled.std()) * scale
