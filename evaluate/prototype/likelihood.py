"""Surprise of a residual and the anomaly likelihood of its short moving average (after Numenta's)."""

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]

LN10 = math.log(10.0)
SQRT2 = math.sqrt(2.0)
# The mean absolute deviation of a Gaussian is sigma * sqrt(2 / pi); this turns it back into sigma.
MAD_TO_SIGMA = 1.2533141373155


def log_erfc(x: Floats) -> Floats:
    """log(erfc(|x|)) with relative accuracy ~1e-7 (Numerical Recipes' erfcc), finite far into the tail."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    # Horner form of erfcc's polynomial; evaluating it in logs keeps p-values of 1e-300 and beyond finite.
    coefficients = (
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
    poly = np.zeros_like(t)
    for coefficient in coefficients:
        poly = t * (coefficient + poly)
    return np.asarray(np.log(t) + (-z * z - 1.26551223 + poly), dtype=np.float64)


def surprise(z: Floats) -> Floats:
    """-log10 of the two-sided Gaussian p-value of z: decades of improbability, not saturating at 1."""
    return np.maximum(-log_erfc(np.abs(z) / SQRT2) / LN10, 0.0)


def upper_tail_decades(z: Floats) -> Floats:
    """-log10 Q(z), Q the upper Gaussian tail; 0 for z <= 0 (only a rise in surprise is anomalous)."""
    z = np.maximum(z, 0.0)
    return np.maximum(-(log_erfc(z / SQRT2) - math.log(2.0)) / LN10, 0.0)


def decay(half_life: float) -> float:
    """The per-point factor that halves a weight after `half_life` points."""
    return float(0.5 ** (1.0 / max(half_life, 1e-9)))


def ew_fold(old: float, samples: Floats, factor: float) -> float:
    """An EWMA with per-sample decay `factor` after folding in `samples` in order, without a Python loop."""
    count = len(samples)
    if count == 0:
        return old
    weights = (1.0 - factor) * factor ** np.arange(count - 1, -1, -1, dtype=np.float64)
    return float(factor**count * old + float(np.dot(weights, samples)))


@dataclass
class Likelihood:
    """One channel's memory: its last surprises (for the moving average) and that average's EWMA mean/var."""

    history: list[float] = field(default_factory=list)
    mean: float = 0.0
    var: float = 0.0
    count: int = 0

    def copy(self) -> "Likelihood":
        return Likelihood(list(self.history), self.mean, self.var, self.count)


def moving_average(history: list[float], raw: Floats, window: int) -> Floats:
    """The trailing `window`-point mean of the surprises, continuing `history` (shorter at the very start)."""
    joined = np.concatenate([np.asarray(history, dtype=np.float64), raw])
    sums = np.concatenate([[0.0], np.cumsum(joined)])
    index = np.arange(len(history), len(joined))
    low = np.maximum(index + 1 - window, 0)
    return np.asarray((sums[index + 1] - sums[low]) / (index + 1 - low), dtype=np.float64)


def decades(memory: Likelihood, average: Floats, min_std: float) -> Floats:
    """How improbably high each average is against the long-run distribution, in decades of Q."""
    if memory.count <= 0:
        return np.zeros(len(average))
    # The std floor stops a quiet series (variance near 0) from turning any wobble into an alarm.
    std = max(math.sqrt(max(memory.var, 0.0)), min_std)
    return upper_tail_decades((average - memory.mean) / std)


def remember(memory: Likelihood, raw: Floats, window: int) -> None:
    """Keep the last window - 1 surprises, all the next moving average needs."""
    memory.history = (
        [float(v) for v in np.concatenate([memory.history, raw])[-(window - 1) :]] if window > 1 else []
    )


def fold_distribution(memory: Likelihood, average: Floats, factor: float) -> None:
    """Fold moving averages into the EWMA mean and variance; the first batch sets them outright."""
    if memory.count == 0:
        memory.mean = float(np.mean(average))
        memory.var = float(np.var(average))
    else:
        previous_mean = memory.mean
        memory.mean = ew_fold(previous_mean, average, factor)
        memory.var = ew_fold(memory.var, (average - previous_mean) ** 2, factor)
    memory.count += len(average)
