"""The detection rule: a point is anomalous when it lies beyond `k` standard deviations of the mean.

The seed model's rule is the default: one-sided, `value > mean + 3 * std`, with the population std
the model was fitted with. `direction` asks for the lower side or both instead.

A model fitted on constant values has std 0: its band shrinks to the mean itself, so a value is
anomalous exactly when it differs from the mean on the tested side, and its z-score, which is then
undefined, is reported as None (as is any score too large for float64).
"""

import enum
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from anomaly.domain.errors import InvalidInput
from anomaly.domain.model import ModelState

DEFAULT_K = 3.0
MAX_K = 1e6
_LARGEST = float(np.finfo(np.float64).max)


class Direction(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class Threshold:
    k: float = DEFAULT_K
    direction: Direction = Direction.UP

    def __post_init__(self) -> None:
        if not math.isfinite(self.k) or not 0 <= self.k <= MAX_K:
            raise InvalidInput("k", f"must be a number from 0 to {MAX_K:g}, got {self.k!r}")


@dataclass(frozen=True, slots=True)
class Band:
    """The values a model considers normal, for one threshold; `lower`/`upper` are finite."""

    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class Verdict:
    anomaly: bool
    score: float | None


@dataclass(frozen=True, slots=True)
class Verdicts:
    """Verdicts for a batch, as columns."""

    anomaly: npt.NDArray[np.bool_]
    score: npt.NDArray[np.float64]  # NaN where the score is undefined

    @property
    def flagged(self) -> int:
        return int(np.count_nonzero(self.anomaly))


def band(state: ModelState, threshold: Threshold) -> Band:
    # k * std and mean +- it may exceed float64 (Python floats overflow to inf, silently); clipping
    # keeps the comparison's meaning (no finite value lies beyond the largest float) and keeps the
    # bounds printable.
    reach = threshold.k * state.std
    return Band(lower=_clip(state.mean - reach), upper=_clip(state.mean + reach))


def _clip(value: float) -> float:
    return min(max(value, -_LARGEST), _LARGEST)


def _score(state: ModelState, value: float) -> float | None:
    if state.std == 0:
        return 0.0 if value == state.mean else None
    score = (value - state.mean) / state.std
    if not math.isfinite(score):
        # value - mean can exceed float64 where the score itself does not.
        score = value / state.std - state.mean / state.std
    return score if math.isfinite(score) else None


def judge(state: ModelState, value: float, threshold: Threshold, limits: Band | None = None) -> Verdict:
    """The verdict on one point: the rule of `judge_many`, in plain floats (no array for one value).

    `limits` is `band(state, threshold)`, for a caller that has it already.
    """
    limits = band(state, threshold) if limits is None else limits
    above, below = value > limits.upper, value < limits.lower
    if threshold.direction is Direction.UP:
        anomaly = above
    elif threshold.direction is Direction.DOWN:
        anomaly = below
    else:
        anomaly = above or below
    return Verdict(anomaly=anomaly, score=_score(state, value))


def judge_many(state: ModelState, values: npt.NDArray[np.float64], threshold: Threshold) -> Verdicts:
    """Verdicts on many points at once, vectorised."""
    limits = band(state, threshold)
    if threshold.direction is Direction.UP:
        anomaly = values > limits.upper
    elif threshold.direction is Direction.DOWN:
        anomaly = values < limits.lower
    else:
        anomaly = (values > limits.upper) | (values < limits.lower)
    return Verdicts(anomaly=anomaly, score=_scores(state, values))


def _scores(state: ModelState, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        if state.std > 0:
            scores = (values - state.mean) / state.std
            overflowed = ~np.isfinite(scores)
            if overflowed.any():
                # value - mean can exceed float64 where the score itself does not.
                scores[overflowed] = values[overflowed] / state.std - state.mean / state.std
        else:
            scores = np.where(values == state.mean, 0.0, np.nan)
        scores[~np.isfinite(scores)] = np.nan
    return np.asarray(scores, dtype=np.float64)
