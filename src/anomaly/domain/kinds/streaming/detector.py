"""Fitting a streaming model and folding batches into it: the level, its scales, the seasonal buckets,
the likelihood's distributions and the seen range, each an EWMA folded in closed form (no loop per point).
"""

import math

import numpy as np
import numpy.typing as npt

from anomaly.domain.detection import LARGEST
from anomaly.domain.kinds.streaming.judging import (
    View,
    diff_scale,
    finite_or,
    level_scale,
    trace_batch,
    view_of,
)
from anomaly.domain.kinds.streaming.likelihood import (
    Likelihood,
    Weights,
    decay,
    ew_fold,
    fold_distribution,
    remember,
)
from anomaly.domain.kinds.streaming.parameters import Params, Period
from anomaly.domain.kinds.streaming.seasons import Buckets, bucket_count, detect_period, fold_buckets
from anomaly.domain.kinds.streaming.state import NEVER, State

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# The level and scales start from the median and MAD of the first points of the fit data.
HEAD_POINTS = 32


def fit(seconds: Ints, values: Floats, params: Params) -> State:
    """A model of the fit data: initialised from its head, then all of it streamed through `fold`
    in chunks, as a client would send it; needs at least one point."""
    state = initial_state(seconds, values, params)
    count = len(values)
    # The first scores are judged by a barely formed model; keep them out of the likelihood's distribution.
    skip = int(params.lik_skip * count)
    for start in range(0, count, params.fit_chunk):
        stop = min(count, start + params.fit_chunk)
        fold(state, seconds[start:stop], values[start:stop], max(0, skip - start) if stop > skip else None)
    state.since_alert = NEVER
    return state


def initial_state(seconds: Ints, values: Floats, params: Params) -> State:
    with np.errstate(over="ignore", invalid="ignore"):
        q1, q99 = np.percentile(values, [1, 99])
        # A flat or two-valued series has no p1-p99 spread; without a floor every tiny change is
        # infinitely surprising.
        spread = float(q99 - q1) or float(np.max(np.abs(values))) or 1.0
        head = values[:HEAD_POINTS]
        median = float(np.median(head))
        if not math.isfinite(median):
            # The two middle values' sum overflowed; halving is exact.
            median = 2.0 * float(np.median(head * 0.5))
        mad = float(np.median(np.abs(head - median)))
        # One point has no step: its diff scale starts at the floor.
        diff_mad = float(np.median(np.abs(np.diff(head)))) if len(head) > 1 else 0.0
    if not math.isfinite(spread):
        # Values near float64's limits: their spread overflows; any huge floor will do.
        spread = LARGEST
    period: Period | None = None
    if params.seasonal:
        period = detect_period(seconds, values) if params.period == "auto" else params.period
    size = bucket_count(period, params.bucket_seconds) if period is not None else 0
    return State(
        params=params,
        period=period,
        level=median,
        mad=finite_or(mad, LARGEST),
        diff_mad=finite_or(diff_mad, LARGEST),
        scale_floor=max(params.min_scale_frac * spread, 1e-12),
        bucket_levels=np.zeros(size),
        bucket_counts=np.zeros(size, dtype=np.int64),
        channels={name: Likelihood() for name in params.channels},
        vmin=float(values.min()),
        vmax=float(values.max()),
        since_alert=NEVER,
        count=0,
        last_value=None,
        first_timestamp=int(seconds.min()),
        last_timestamp=int(seconds.max()),
        minimum=float(values.min()),
        maximum=float(values.max()),
    )


def fold(
    state: State, seconds: Ints, values: Floats, likelihood_from: int | None, view: View | None = None
) -> None:
    """Learn a batch, in order (timestamps may repeat or step back); `likelihood_from` is the first
    point whose moving average enters the likelihood's distribution (None: none does). `view` is
    `view_of(state)`, for a caller that has it already."""
    if not len(values):
        return
    params = state.params
    trace = trace_batch(view_of(state) if view is None else view, seconds, values)
    weights = Weights()
    with np.errstate(over="ignore", invalid="ignore"):
        if "diff" in state.channels and state.last_value is not None:
            limit = params.huber * diff_scale(state)
            steps = values - np.concatenate([[state.last_value], values[:-1]])
            folded = ew_fold(state.diff_mad, np.minimum(np.abs(steps), limit), _scale_decay(params), weights)
            state.diff_mad = finite_or(folded, state.diff_mad)
        _fold_level(state, seconds, values, trace.expected, weights)
        for memory, surprises, averages in zip(
            state.channels.values(), trace.surprises, trace.averages, strict=True
        ):
            remember(memory, surprises, params.avg_window)
            if likelihood_from is not None and len(averages) > likelihood_from:
                fold_distribution(memory, averages[likelihood_from:], decay(params.lik_half_life), weights)
        _fold_range(state, values)
    state.since_alert = trace.since_alert
    state.count += len(values)
    state.last_value = float(values[-1])
    state.first_timestamp = min(state.first_timestamp, int(seconds.min()))
    state.last_timestamp = max(state.last_timestamp, int(seconds.max()))
    state.minimum = min(state.minimum, float(values.min()))
    state.maximum = max(state.maximum, float(values.max()))


def _scale_decay(params: Params) -> float:
    # The residual scales forget at the level's pace (the reference's scale_half_life = None).
    return decay(params.half_life)


def _fold_level(state: State, seconds: Ints, values: Floats, expected: Floats, weights: Weights) -> None:
    """Huber-clipped EWMA: an outlier moves the level and the scale by at most `huber` scales."""
    params = state.params
    residual = values - expected
    limit = params.huber * level_scale(state)
    clipped = np.clip(residual, -limit, limit)
    state.mad = finite_or(ew_fold(state.mad, np.abs(clipped), _scale_decay(params), weights), state.mad)
    learnt = expected + clipped
    state.level = finite_or(ew_fold(state.level, learnt, decay(params.half_life), weights), state.level)
    if state.period is not None:
        bucket = Buckets(state.period, params.bucket_seconds).of(seconds)
        levels, counts = fold_buckets(
            state.bucket_levels, state.bucket_counts, bucket, learnt, values, decay(params.season_half_life)
        )
        if not np.isfinite(levels).all():
            # Only values near float64's limits get here; keep the buckets finite (and JSON-writable).
            levels = np.where(np.isnan(levels), state.bucket_levels, np.clip(levels, -LARGEST, LARGEST))
        state.bucket_levels, state.bucket_counts = levels, counts


def _fold_range(state: State, values: Floats) -> None:
    """Shrink the seen range toward the level, slowly, so that one freak value does not blind the model."""
    params = state.params
    if params.range_half_life > 0:
        shrink = decay(params.range_half_life) ** len(values)
        level = state.level
        if state.vmax > level:
            state.vmax = finite_or(level + (state.vmax - level) * shrink, state.vmax)
        if state.vmin < level:
            state.vmin = finite_or(level - (level - state.vmin) * shrink, state.vmin)
    state.vmax = max(state.vmax, float(values.max()))
    state.vmin = min(state.vmin, float(values.min()))
