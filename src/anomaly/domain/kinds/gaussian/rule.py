"""The gaussian rule: a point is anomalous when it lies beyond `k` standard deviations of the mean.

The seed model's rule is the default: one-sided, `value > mean + 3 * std`, with the population std
the model was fitted with. `direction` asks for the lower side or both instead.

A model fitted on constant values has std 0: its band shrinks to the mean itself, so a value is
anomalous exactly when it differs from the mean on the tested side, and its z-score, which is then
undefined, is reported as None/NaN (as is any score too large for float64).

The anomaly score is |z| / (|z| + 3): 0 at the mean, 0.5 at the default band's edge, tending to 1;
on a constant model 0 at the mean and 1 anywhere else.
"""

import math

import numpy as np
import numpy.typing as npt

from anomaly.domain.detection import DEFAULT_K, Direction, clip
from anomaly.domain.kinds.gaussian.state import GaussianState

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# The seed's rule tests the upper side only; clients that want both ask for it.
DEFAULT_DIRECTION = Direction.UP


def bounds(state: GaussianState, k: float) -> tuple[float, float]:
    # k * std and mean +- it may exceed float64 (Python floats overflow to inf, silently); clipping
    # keeps the comparison's meaning and keeps the bounds printable.
    reach = k * state.std
    return clip(state.mean - reach), clip(state.mean + reach)


def score(state: GaussianState, value: float) -> float | None:
    if state.std == 0:
        return 0.0 if value == state.mean else None
    z = (value - state.mean) / state.std
    if not math.isfinite(z):
        # value - mean can exceed float64 where the score itself does not.
        z = value / state.std - state.mean / state.std
    return z if math.isfinite(z) else None


def anomaly_score(state: GaussianState, value: float, z: float | None) -> float:
    if z is None:
        # Undefined only off the mean of a constant model, or beyond float64: as unusual as can be.
        return 1.0
    distance = abs(z)
    return distance / (distance + DEFAULT_K)


def flagged(value: float, lower: float, upper: float, direction: Direction | None) -> bool:
    direction = direction or DEFAULT_DIRECTION
    if direction is Direction.UP:
        return value > upper
    if direction is Direction.DOWN:
        return value < lower
    return value > upper or value < lower


def scores(state: GaussianState, values: Floats) -> Floats:
    """`score` of each value, NaN where undefined, vectorised."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        if state.std > 0:
            z = (values - state.mean) / state.std
            overflowed = ~np.isfinite(z)
            if overflowed.any():
                z[overflowed] = values[overflowed] / state.std - state.mean / state.std
        else:
            z = np.where(values == state.mean, 0.0, np.nan)
        z[~np.isfinite(z)] = np.nan
    return np.asarray(z, dtype=np.float64)


def anomaly_scores(state: GaussianState, values: Floats, z: Floats) -> Floats:
    # In place: a million-point batch allocates two arrays here, not four.
    result = np.abs(z)
    spread = result + DEFAULT_K
    np.divide(result, spread, out=result)
    undefined = np.isnan(z)
    if undefined.any():
        result[undefined] = np.where(values[undefined] != state.mean, 1.0, 0.0)
    return np.asarray(result, dtype=np.float64)


def flagged_many(values: Floats, lower: float, upper: float, direction: Direction | None) -> Bools:
    direction = direction or DEFAULT_DIRECTION
    if direction is Direction.UP:
        return values > upper
    if direction is Direction.DOWN:
        return values < lower
    return np.asarray((values > upper) | (values < lower))
