"""Surprise of a residual and the anomaly likelihood of its moving average (after Numenta's).

Each Gaussian tail has an array form, written in place into scratch buffers (a batch is judged
block by block, in cache), and a scalar twin for one point. Both perform the same IEEE operations
in the same order, with numpy's logarithm in both (numpy's vectorised log and libm's differ in the
last bit for about 0.3 % of arguments; numpy's on a Python float takes the array loop), so a point
judged alone scores bit for bit as it does in a batch.
"""

import functools
import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]

LN10 = math.log(10.0)
LN2 = math.log(2.0)
SQRT2 = math.sqrt(2.0)
# The mean absolute deviation of a Gaussian is sigma * sqrt(2 / pi); this turns it back into sigma.
MAD_TO_SIGMA = 1.2533141373155
# Numerical Recipes' erfcc: erfc(a) = t exp(-a^2 - OFFSET + P(t)), t = 1 / (1 + a / 2), relative
# accuracy ~1e-7; evaluated in logs it keeps p-values of 1e-300 and beyond finite. P in Horner form.
_OFFSET = 1.26551223
_COEFFICIENTS = (
    0.17087277,
    -0.82215223,
    1.48851587,
    -1.13520398,
    0.27886807,
    -0.18628806,
    0.09678418,
    0.37409196,
    1.00002368,
)
# Beyond this a is so far in the tail that every cap in use is reached long before; the scalar path
# stops there rather than take the log of an underflowed t.
_FAR = 1e150
# Weight vectors shorter than this are cached: fit folds thousands of chunks of the same length.
_CACHED_WEIGHTS = 4096


# ----------------------------------------------------------------------------- arrays, in place


def log_erfc_into(a: Floats, t: Floats, out: Floats) -> None:
    """out = log(erfc(a)) for a >= 0; `a` and `t` are scratch (overwritten), all of one length."""
    np.multiply(a, 0.5, out=t)
    t += 1.0
    np.divide(1.0, t, out=t)
    np.multiply(t, _COEFFICIENTS[0], out=out)
    for coefficient in _COEFFICIENTS[1:]:
        out += coefficient
        out *= t
    # log(t) + (-a*a - OFFSET + P) == log(t) + (P - (a*a + OFFSET)) exactly: negation is exact.
    np.multiply(a, a, out=a)
    a += _OFFSET
    out -= a
    np.log(t, out=t)
    out += t


def surprise_into(a: Floats, t: Floats, out: Floats, cap: float) -> None:
    """out = min(-log10 of the two-sided p-value, cap), from a = |z| / sqrt(2); a, t scratch."""
    log_erfc_into(a, t, out)
    out /= -LN10
    np.clip(out, 0.0, cap, out=out)


def upper_tail_into(z: Floats, t: Floats, out: Floats) -> None:
    """out = -log10 Q(z), Q the upper Gaussian tail, 0 for z <= 0; z, t scratch."""
    np.maximum(z, 0.0, out=z)
    z /= SQRT2
    log_erfc_into(z, t, out)
    out -= LN2
    out /= -LN10
    np.maximum(out, 0.0, out=out)


# ----------------------------------------------------------------------------- one point


def log_erfc(a: float) -> float:
    """`log_erfc_into` for one point, its Horner loop unrolled (a predict must cost microseconds)."""
    c0, c1, c2, c3, c4, c5, c6, c7, c8 = _COEFFICIENTS
    t = 1.0 / (1.0 + 0.5 * a)
    poly = t * c0
    poly = t * (c1 + poly)
    poly = t * (c2 + poly)
    poly = t * (c3 + poly)
    poly = t * (c4 + poly)
    poly = t * (c5 + poly)
    poly = t * (c6 + poly)
    poly = t * (c7 + poly)
    poly = t * (c8 + poly)
    return float(np.log(t)) + (-a * a - _OFFSET + poly)


def surprise(a: float, cap: float) -> float:
    """`surprise_into` for one point (a = |z| / sqrt(2))."""
    if not a < _FAR:
        return cap
    return min(max(-log_erfc(a) / LN10, 0.0), cap)


def upper_tail(z: float) -> float:
    """`upper_tail_into` for one point."""
    if z <= 0.0:
        # Most averages lie below their mean; they all score what z = 0 scores.
        return _UPPER_TAIL_AT_0
    return max(-(log_erfc(z / SQRT2) - LN2) / LN10, 0.0)


_UPPER_TAIL_AT_0 = max(-(log_erfc(0.0) - LN2) / LN10, 0.0)


# ----------------------------------------------------------------------------- forgetting


def decay(half_life: float) -> float:
    """The per-point factor that halves a weight after `half_life` points."""
    return float(0.5 ** (1.0 / max(half_life, 1e-9)))


class Weights:
    """The closed-form EWMA weights of one fold, each vector computed once: a fold takes several
    EWMAs of the same length at the same decay, and for a large batch the powers are its main cost."""

    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[tuple[float, int], Floats] = {}

    def of(self, factor: float, count: int) -> Floats:
        if count < _CACHED_WEIGHTS:
            return _cached_weights(factor, count)
        weights = self._known.get((factor, count))
        if weights is None:
            weights = self._known[factor, count] = _computed_weights(factor, count)
        return weights


def ew_fold(old: float, samples: Floats, factor: float, weights: Weights) -> float:
    """An EWMA with per-sample decay `factor` after folding in `samples` in order, in closed form."""
    count = len(samples)
    if count == 0:
        return old
    return float(factor**count * old + float(np.dot(weights.of(factor, count), samples)))


def _computed_weights(factor: float, count: int) -> Floats:
    return (1.0 - factor) * factor ** np.arange(count - 1, -1, -1, dtype=np.float64)


@functools.lru_cache(maxsize=64)
def _cached_weights(factor: float, count: int) -> Floats:
    weights = _computed_weights(factor, count)
    weights.flags.writeable = False
    return weights


# ----------------------------------------------------------------------------- a channel's memory


@dataclass
class Likelihood:
    """One channel's memory: its last surprises (for the moving average) and that average's EWMA mean/var."""

    history: list[float] = field(default_factory=list)
    mean: float = 0.0
    var: float = 0.0
    count: int = 0

    def copy(self) -> "Likelihood":
        return Likelihood(list(self.history), self.mean, self.var, self.count)

    @property
    def std(self) -> float | None:
        """None while the distribution is empty (its decades are then 0)."""
        return None if self.count <= 0 else math.sqrt(max(self.var, 0.0))


def remember(memory: Likelihood, raw: Floats, window: int) -> None:
    """Keep the last window - 1 surprises, all the next moving average needs."""
    if window <= 1:
        memory.history = []
        return
    keep = window - 1
    memory.history = [*memory.history, *raw[-keep:].tolist()][-keep:]


def fold_distribution(memory: Likelihood, average: Floats, factor: float, weights: Weights) -> None:
    """Fold moving averages into the EWMA mean and variance; the first batch sets them outright."""
    if memory.count == 0:
        memory.mean = float(np.mean(average))
        memory.var = float(np.var(average))
    else:
        previous_mean = memory.mean
        memory.mean = ew_fold(previous_mean, average, factor, weights)
        memory.var = ew_fold(memory.var, (average - previous_mean) ** 2, factor, weights)
    memory.count += len(average)
