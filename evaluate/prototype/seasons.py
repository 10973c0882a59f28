"""Seasonal levels: a daily or weekly period detected, and one EWMA level per hour of the day or week."""

import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Period = Literal["day", "week"]

DAY = 86_400
WEEK = 7 * DAY
# 1970-01-01 was a Thursday; shifting by 3 days numbers Monday 0.
EPOCH_WEEKDAY = 3
MIN_AUTOCORRELATION = 0.3
# The weekly period must beat the daily one clearly: a weekly lag also correlates through the daily cycle.
WEEK_MARGIN = 0.02


def period_seconds(period: Period) -> int:
    return WEEK if period == "week" else DAY


def bucket_count(period: Period, bucket_seconds: int) -> int:
    return period_seconds(period) // bucket_seconds


def detect_period(seconds: Ints, values: Floats) -> Period | None:
    """'week', 'day' or None, from the autocorrelation of the fit data at a lag of one period."""
    if len(values) < 16:
        return None
    # The lag in points assumes a regular step; for gappy series it is approximate.
    step = float(np.median(np.diff(seconds)))
    if step <= 0:
        return None
    best: Period | None = None
    best_r = 0.0
    candidates: tuple[Period, ...] = ("day", "week")
    for name in candidates:
        length = period_seconds(name)
        # Fewer than 1.5 periods give too few overlapping pairs to trust the correlation.
        if seconds[-1] - seconds[0] < 1.5 * length:
            continue
        lag = round(length / step)
        if lag >= len(values) - 8:
            continue
        r = _autocorrelation(values, lag)
        if r > MIN_AUTOCORRELATION and r > best_r + WEEK_MARGIN:
            best, best_r = name, r
    return best


def _autocorrelation(values: Floats, lag: int) -> float:
    head = values[:-lag] - values[:-lag].mean()
    tail = values[lag:] - values[lag:].mean()
    denominator = math.sqrt(float(np.dot(head, head) * np.dot(tail, tail)))
    return float(np.dot(head, tail) / denominator) if denominator > 0 else 0.0


def buckets(seconds: Ints, period: Period, bucket_seconds: int) -> Ints:
    """Each timestamp's bucket: its hour of the day, or its hour of the week (Monday 00:00 is 0)."""
    of_day = (seconds % DAY) // bucket_seconds
    if period == "week":
        weekday = ((seconds // DAY) + EPOCH_WEEKDAY) % 7
        return np.asarray(weekday * (DAY // bucket_seconds) + of_day, dtype=np.int64)
    return np.asarray(of_day, dtype=np.int64)


def fold_buckets(
    levels: Floats, counts: Ints, bucket: Ints, clipped: Floats, raw: Floats, factor: float
) -> tuple[Floats, Ints]:
    """Fold a batch into the bucket levels: each bucket an EWMA over its own visits, in order.

    A bucket's first visits set it from the unclipped values: clipping them toward the global level
    would let the profile move only a few scales per visit, so a daily cycle would never be learnt.
    """
    levels, counts = levels.copy(), counts.copy()
    order = np.argsort(bucket, kind="stable")
    sorted_buckets, sorted_clipped, sorted_raw = bucket[order], clipped[order], raw[order]
    index = np.arange(len(sorted_buckets))
    starts = np.r_[True, sorted_buckets[1:] != sorted_buckets[:-1]]
    # Position of each value among its bucket's visits in this batch, for closed-form EWMA weights.
    position = index - np.maximum.accumulate(np.where(starts, index, 0))
    visited, visits = np.unique(sorted_buckets, return_counts=True)
    visits_of = np.repeat(visits, visits)
    weights = (1.0 - factor) * factor ** (visits_of - 1 - position)
    clipped_sum = np.zeros(len(levels))
    raw_sum = np.zeros(len(levels))
    weight_sum = np.zeros(len(levels))
    np.add.at(clipped_sum, sorted_buckets, weights * sorted_clipped)
    np.add.at(raw_sum, sorted_buckets, weights * sorted_raw)
    np.add.at(weight_sum, sorted_buckets, weights)
    fresh = counts[visited] == 0
    followed = factor**visits * levels[visited] + clipped_sum[visited]
    first = raw_sum[visited] / np.maximum(weight_sum[visited], 1e-300)
    levels[visited] = np.where(fresh, first, followed)
    counts[visited] += visits
    return levels, counts
