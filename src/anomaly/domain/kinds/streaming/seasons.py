"""Seasonal levels: a daily or weekly period detected, and one EWMA level per hour of the day or week."""

import math

import numpy as np
import numpy.typing as npt

from anomaly.domain.kinds.streaming.parameters import Period

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

DAY = 86_400
WEEK = 7 * DAY
# 1970-01-01 was a Thursday; shifting by 3 days numbers Monday 0.
EPOCH_WEEKDAY = 3
MIN_AUTOCORRELATION = 0.3
# The weekly period must beat the daily one clearly: a weekly lag also correlates through the daily cycle.
WEEK_MARGIN = 0.02
# Too few points for a correlation at a lag of one period to mean anything.
MIN_POINTS = 16
MIN_PAIRS = 8


def period_seconds(period: Period) -> int:
    return WEEK if period == "week" else DAY


def bucket_count(period: Period, bucket_seconds: int) -> int:
    return period_seconds(period) // bucket_seconds


def detect_period(seconds: Ints, values: Floats) -> Period | None:
    """'week', 'day' or None, from the autocorrelation of the fit data at a lag of one period."""
    if len(values) < MIN_POINTS:
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
        if lag >= len(values) - MIN_PAIRS:
            continue
        r = _autocorrelation(values, lag)
        if r > MIN_AUTOCORRELATION and r > best_r + WEEK_MARGIN:
            best, best_r = name, r
    return best


def _autocorrelation(values: Floats, lag: int) -> float:
    head = values[:-lag] - values[:-lag].mean()
    tail = values[lag:] - values[lag:].mean()
    denominator = math.sqrt(float(np.dot(head, head) * np.dot(tail, tail)))
    r = float(np.dot(head, tail) / denominator) if denominator > 0 else 0.0
    # Values near float64's limits overflow the products; such a series shows no usable period.
    return r if math.isfinite(r) else 0.0


class Buckets:
    """Which bucket a timestamp falls in: its hour of the day, or its hour of the week (Monday 00:00 is 0).

    (s // width + offset) % count equals the hour-of-day / hour-of-week arithmetic for every integer
    s because the width divides a day, and costs two integer operations per point instead of five.
    """

    __slots__ = ("count", "offset", "width")

    def __init__(self, period: Period, bucket_seconds: int) -> None:
        self.width = bucket_seconds
        self.count = bucket_count(period, bucket_seconds)
        self.offset = EPOCH_WEEKDAY * (DAY // bucket_seconds) if period == "week" else 0

    def of(self, seconds: Ints, out: Ints | None = None) -> Ints:
        result = np.floor_divide(seconds, self.width, out=out)
        if self.offset:
            result += self.offset
        np.remainder(result, self.count, out=result)
        return result

    def of_one(self, second: int) -> int:
        return (second // self.width + self.offset) % self.count


def fold_buckets(
    levels: Floats, counts: Ints, bucket: Ints, clipped: Floats, raw: Floats, factor: float
) -> tuple[Floats, Ints]:
    """Fold a batch into the bucket levels: each bucket an EWMA over its own visits, in order.

    A bucket's first visits set it from the unclipped values: clipping them toward the global level
    would let the profile move only a few scales per visit, so a daily cycle would never be learnt.
    """
    levels, counts = levels.copy(), counts.copy()
    # Bucket numbers fit in 16 bits, for which numpy's stable sort is a radix sort (the order is the same).
    order = np.argsort(bucket.astype(np.uint16), kind="stable")
    sorted_buckets = bucket[order]
    # Where each bucket's run of visits starts in the sorted batch, and how long it is.
    starts = np.flatnonzero(np.concatenate(([True], sorted_buckets[1:] != sorted_buckets[:-1])))
    visited = sorted_buckets[starts]
    visits = np.diff(np.append(starts, len(sorted_buckets)))
    # Position of each value among its bucket's visits in this batch, for closed-form EWMA weights:
    # factor ** (visits - 1 - position), each power computed once and gathered.
    position = np.arange(len(sorted_buckets)) - np.repeat(starts, visits)
    powers = (1.0 - factor) * factor ** np.arange(int(visits.max()), dtype=np.float64)
    weights = powers[np.repeat(visits, visits) - 1 - position]
    # bincount adds in order, from 0.0, as a sequential sum per bucket would.
    size = len(levels)
    clipped_sum = np.bincount(sorted_buckets, weights * clipped[order], minlength=size)
    raw_sum = np.bincount(sorted_buckets, weights * raw[order], minlength=size)
    weight_sum = np.bincount(sorted_buckets, weights, minlength=size)
    fresh = counts[visited] == 0
    followed = factor**visits * levels[visited] + clipped_sum[visited]
    first = raw_sum[visited] / np.maximum(weight_sum[visited], 1e-300)
    levels[visited] = np.where(fresh, first, followed)
    counts[visited] += visits
    return levels, counts
