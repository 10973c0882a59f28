"""Judging points against a model as it is: a batch block by block, or one point in plain floats.

Every point of a batch is judged against the same state (the batch is not learnt), except for three
within-batch mechanics that make a batch judge as the points would one by one: the moving average
runs over the batch's own surprises, the running extremes include the batch's earlier points, and
an alert caps the scores of the points after it. The batch is processed in blocks small enough for
every temporary to stay in cache; the carries between blocks (the running sums of the moving average,
the running extremes, the last alert) keep the result identical to one pass over the whole batch.
"""

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from anomaly.domain.detection import LARGEST, Direction
from anomaly.domain.kinds.streaming.likelihood import (
    MAD_TO_SIGMA,
    SQRT2,
    surprise,
    surprise_into,
    upper_tail,
    upper_tail_into,
)
from anomaly.domain.kinds.streaming.seasons import Buckets
from anomaly.domain.kinds.streaming.state import State

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

# Points per block: the temporaries of a block (about 1.5 MB) stay in L2 cache; measured best of 2k-32k.
BLOCK = 16_384


@dataclass(slots=True)
class ChannelView:
    diff: bool  # the diff channel (value - previous value); otherwise the level channel
    scale: float
    sums: tuple[float, ...]  # 0.0, then the running sums of the remembered surprises
    mean: float
    std: float | None  # the distribution's std, floored; None while it is empty (decades 0)


@dataclass(slots=True)
class View:
    """A state's numbers as judging reads them, derived once per model; never changed once made
    (not frozen: a frozen dataclass's construction costs more than some small batches' judging)."""

    buckets: Buckets | None  # None: one level for every time
    table: Floats  # the expected value per bucket (the global level where unvisited)
    table_list: list[float]
    level: float
    level_scale: float
    largest_expected: float  # the largest |expected value|, to know when a band needs clipping
    channels: tuple[ChannelView, ...]
    scales: Floats  # (channels, 1): each channel's scale, to divide its row of a stacked block
    means: Floats  # (channels, 1): each channel's likelihood mean
    stds: Floats  # (channels, 1): its floored std (1.0 where there is none yet; those rows score 0)
    last_value: float | None
    raw_cap: float
    window: int
    score_half: float
    novelty: bool  # whether new extremes score 1
    vmin: float
    vmax: float
    margin: float
    refractory: int
    since_alert: int
    alert: float  # the model's alert level, which starts an episode
    capped: float  # the cap on scores within an episode


class Verdicts(NamedTuple):
    expected: Floats
    lower: Floats
    upper: Floats
    raw_score: Floats
    score: Floats
    anomaly: Bools


class Trace(NamedTuple):
    """What folding a batch in needs of its judgement."""

    expected: Floats
    surprises: Floats  # (channels, points), in the state's channel order
    averages: Floats  # the moving averages of the surprises, likewise
    since_alert: int  # as it stands after the batch


class Ask(NamedTuple):
    """What a caller asks of the verdicts: the band's half-width, the alert level and the side."""

    reach: float
    alert: float
    direction: Direction | None


def level_scale(state: State) -> float:
    # Capped so that a residual divided by it is never inf / inf.
    return min(max(state.mad * MAD_TO_SIGMA, state.scale_floor), LARGEST)


def diff_scale(state: State) -> float:
    return min(max(state.diff_mad * MAD_TO_SIGMA, state.scale_floor), LARGEST)


def view_of(state: State) -> View:
    params = state.params
    if state.period is not None:
        buckets: Buckets | None = Buckets(state.period, params.bucket_seconds)
        # A bucket not yet visited falls back on the global level.
        table = np.where(state.bucket_counts > 0, state.bucket_levels, state.level)
    else:
        buckets, table = None, np.array([state.level])
    table_list = table.tolist()
    channels = []
    for name, memory in state.channels.items():
        sums = [0.0]
        for surprise_value in memory.history:
            sums.append(sums[-1] + surprise_value)
        std = memory.std
        channels.append(
            ChannelView(
                diff=name == "diff",
                scale=diff_scale(state) if name == "diff" else level_scale(state),
                sums=tuple(sums),
                mean=memory.mean,
                # The std floor stops a quiet series (variance near 0) from turning any wobble into an alarm.
                std=None if std is None else max(std, params.lik_min_std),
            )
        )
    return View(
        buckets=buckets,
        table=table,
        table_list=table_list,
        level=state.level,
        level_scale=level_scale(state),
        largest_expected=float(np.abs(table).max()),
        channels=tuple(channels),
        scales=np.array([[channel.scale] for channel in channels]),
        means=np.array([[channel.mean] for channel in channels]),
        stds=np.array([[1.0 if channel.std is None else channel.std] for channel in channels]),
        last_value=state.last_value,
        raw_cap=params.raw_cap,
        window=params.avg_window,
        score_half=params.score_half,
        novelty=params.spatial > 0 and state.vmax > state.vmin,
        vmin=state.vmin,
        vmax=state.vmax,
        margin=params.spatial * (state.vmax - state.vmin),
        refractory=params.refractory,
        since_alert=state.since_alert,
        alert=params.alert,
        capped=params.yellow * params.alert,
    )


# ----------------------------------------------------------------------------- one point


def judge_one(
    view: View, second: int, value: float, reach: float, alert: float, direction: Direction | None
) -> tuple[float, float, float, float, float, bool]:
    """(expected, lower, upper, raw score, anomaly score, anomaly) of one point: a batch of one, in floats."""
    expected = view.table_list[view.buckets.of_one(second)] if view.buckets is not None else view.level
    strongest = raw_score = 0.0
    for channel in view.channels:
        if channel.diff:
            residual = 0.0 if view.last_value is None else value - view.last_value
        else:
            residual = value - expected
        raw = surprise(abs(residual) / channel.scale / SQRT2, view.raw_cap)
        raw_score = max(raw_score, raw / view.raw_cap)
        if channel.std is not None:
            sums = channel.sums
            remembered = len(sums) - 1
            count = min(remembered + 1, view.window)
            average = (sums[-1] + raw - sums[remembered + 1 - count]) / count
            strongest = max(strongest, upper_tail((average - channel.mean) / channel.std))
    score = strongest / (strongest + view.score_half)
    if view.novelty and (value > view.vmax + view.margin or value < view.vmin - view.margin):
        score = 1.0
    if view.refractory > 0 and view.since_alert + 1 <= view.refractory:
        score = min(score, view.capped)
    anomaly = score >= alert
    if direction is Direction.UP:
        anomaly = anomaly and value > expected
    elif direction is Direction.DOWN:
        anomaly = anomaly and value < expected
    # expected is finite and reach >= 0: only the far side of each bound can overflow.
    lower, upper = max(expected - reach, -LARGEST), min(expected + reach, LARGEST)
    return expected, lower, upper, raw_score, score, anomaly


# ----------------------------------------------------------------------------- a batch


def judge_batch(view: View, seconds: Ints, values: Floats, ask: Ask) -> Verdicts:
    """Every column of the verdicts on a batch."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        run = _Run(view, seconds, values, ask=ask, trace=False)
        run.all_blocks()
    return Verdicts(run.expected, run.lower, run.upper, run.raw_score, run.score, run.anomaly)


def trace_batch(view: View, seconds: Ints, values: Floats) -> Trace:
    """What `detector.fold` needs to learn a batch: its judgement's inner columns."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        run = _Run(view, seconds, values, ask=None, trace=True)
        run.all_blocks()
    return Trace(run.expected, run.surprises, run.averages, len(values) - 1 - run.last_hot)


def expected_at(view: View, seconds: Ints) -> Floats:
    if view.buckets is None:
        return np.full(len(seconds), view.level)
    return np.take(view.table, view.buckets.of(seconds))


def clipped_band(expected: Floats, reach: float, largest_expected: float) -> tuple[Floats, Floats]:
    with np.errstate(over="ignore"):
        lower, upper = expected - reach, expected + reach
    if not largest_expected + reach < LARGEST:
        np.clip(lower, -LARGEST, LARGEST, out=lower)
        np.clip(upper, -LARGEST, LARGEST, out=upper)
    return lower, upper


class _Run:
    """One pass over a batch, block by block; the attributes hold the outputs, buffers and carries.

    The channels are stacked as the rows of (channels, block) buffers, so that each step of the
    surprise and likelihood maths is one numpy call for all channels: for small batches (fit's
    chunks, a client's batches of 10) the calls, not the arithmetic, are the cost.
    """

    def __init__(self, view: View, seconds: Ints, values: Floats, ask: Ask | None, trace: bool) -> None:
        count = len(values)
        size = min(count, BLOCK)
        channels, window = len(view.channels), view.window
        self.view, self.seconds, self.values, self.ask, self.trace = view, seconds, values, ask, trace
        self.expected = np.empty(count)
        self.score = np.empty(count)
        if ask is not None:
            self.lower, self.upper = np.empty(count), np.empty(count)
            self.raw_score, self.anomaly = np.empty(count), np.empty(count, dtype=np.bool_)
            self.clip = not view.largest_expected + ask.reach < LARGEST
        if trace:
            self.surprises, self.averages = np.empty((channels, count)), np.empty((channels, count))
        self.bucket = np.empty(size, dtype=np.int64)
        self.stacked = [np.empty(channels * size) for _ in range(5)]
        self.strongest, self.running = np.empty(size), np.empty(size)
        self.flags, self.novel = np.empty(size, dtype=np.bool_), np.empty(size, dtype=np.bool_)
        # Per channel, the running sums of its surprises: `window` sums carried over, then the block's.
        self.sums = np.zeros((channels, window + size))
        for row, channel in enumerate(view.channels):
            self.sums[row, window - len(channel.sums) : window] = channel.sums
        self.remembered = [len(channel.sums) - 1 for channel in view.channels]
        self.high, self.low = view.vmax, view.vmin
        # Where the last unsuppressed alert was, counting this batch's points from 0.
        self.last_hot = -view.since_alert - 1

    def all_blocks(self) -> None:
        for start in range(0, len(self.values), BLOCK):
            self.block(start, min(len(self.values), start + BLOCK))

    def block(self, start: int, stop: int) -> None:
        view, size = self.view, stop - start
        values, expected, score = self.values[start:stop], self.expected[start:stop], self.score[start:stop]
        if view.buckets is None:
            expected.fill(view.level)
        else:
            bucket = view.buckets.of(self.seconds[start:stop], out=self.bucket[:size])
            np.take(view.table, bucket, out=expected)
        shape = (len(view.channels), size)
        residual, scratch, raw, average, decades = (
            buffer[: shape[0] * size].reshape(shape) for buffer in self.stacked
        )
        self.residuals(start, stop, residual)
        np.abs(residual, out=residual)
        residual /= view.scales
        residual /= SQRT2
        surprise_into(residual, scratch, raw, view.raw_cap)
        if self.ask is not None:
            # max(a / cap, b / cap) == max(a, b) / cap: rounding is monotone.
            raw_score = self.raw_score[start:stop]
            _row_max(raw, raw_score)
            raw_score /= view.raw_cap
        self.moving_average(start, size, raw, average)
        if self.trace:
            self.surprises[:, start:stop] = raw
            self.averages[:, start:stop] = average
        z = residual
        np.subtract(average, view.means, out=z)
        z /= view.stds
        upper_tail_into(z, scratch, decades)
        for row, channel in enumerate(view.channels):
            if channel.std is None:
                decades[row].fill(0.0)
        strongest = self.strongest[:size]
        _row_max(decades, strongest)
        # Monotone, in [0, 1) and free of ties (so a corpus threshold is well defined): 0.8 <=> Q = 1e-20.
        np.add(strongest, view.score_half, out=score)
        np.divide(strongest, score, out=score)
        if view.novelty:
            self.new_extremes(values, score)
        self.episodes(start, score)
        if self.ask is not None:
            self.outputs(start, stop, values, expected, score)

    def residuals(self, start: int, stop: int, residual: Floats) -> None:
        """Each channel's residual: value - expected (level), value - previous value (diff)."""
        values = self.values
        for row, channel in enumerate(self.view.channels):
            if not channel.diff:
                np.subtract(values[start:stop], self.expected[start:stop], out=residual[row])
            elif self.view.last_value is None:
                residual[row].fill(0.0)
            else:
                previous = values[start - 1] if start else self.view.last_value
                residual[row, 0] = values[start] - previous
                np.subtract(values[start + 1 : stop], values[start : stop - 1], out=residual[row, 1:])

    def moving_average(self, start: int, size: int, raw: Floats, average: Floats) -> None:
        """The trailing `window`-point mean of the surprises, continuing the remembered ones.

        A running sum, as sequential as one cumsum over the whole batch would be; a point with fewer
        than `window` surprises behind it (only at the very start of a model) averages those it has.
        """
        window, sums = self.view.window, self.sums
        sums[:, window : window + size] = raw
        running = sums[:, window - 1 : window + size]
        np.cumsum(running, axis=1, out=running)
        np.subtract(sums[:, window : window + size], sums[:, :size], out=average)
        average /= window
        for row, remembered in enumerate(self.remembered):
            seen = remembered + start
            short = min(window - 1 - seen, size)
            if short > 0:
                counts = np.arange(seen + 1, seen + 1 + short)
                np.divide(sums[row, window : window + short], counts, out=average[row, :short])
        sums[:, :window] = sums[:, size : size + window]

    def new_extremes(self, values: Floats, score: Floats) -> None:
        """Score 1 for a value beyond the range seen so far (earlier points of the batch included)."""
        margin, high, low = self.view.margin, self.high, self.low
        top, bottom = float(values.max()), float(values.min())
        # The running extremes only grow, so nothing beyond the carried ones means nothing novel.
        if top > high + margin or bottom < low - margin:
            size = len(values)
            running, novel = self.running[:size], self.novel[:size]
            running[0] = high
            running[1:] = values[:-1]
            np.maximum.accumulate(running, out=running)
            running += margin
            np.greater(values, running, out=novel)
            running[0] = low
            running[1:] = values[:-1]
            np.minimum.accumulate(running, out=running)
            running -= margin
            np.less(values, running, out=self.flags[:size])
            novel |= self.flags[:size]
            np.copyto(score, 1.0, where=novel)
        self.high, self.low = max(high, top), min(low, bottom)

    def episodes(self, start: int, score: Floats) -> None:
        """Track unsuppressed alerts; cap the points within `refractory` after one (one alert per episode)."""
        size, view = len(score), self.view
        flags = self.flags[:size]
        np.greater_equal(score, view.alert, out=flags)
        hot = np.flatnonzero(flags)
        window = view.refractory
        if window > 0 and self.ask is not None and (len(hot) or start - self.last_hot <= window):
            # For each point, the latest alert before it (this batch's earlier points, or the state's).
            latest = np.full(size, -(2**62), dtype=np.int64)
            followed = hot[hot + 1 < size]
            latest[followed + 1] = followed + start
            latest[0] = max(int(latest[0]), self.last_hot)
            np.maximum.accumulate(latest, out=latest)
            recent = np.arange(start, start + size) - latest <= window
            np.minimum(score, view.capped, out=score, where=recent)
        if len(hot):
            self.last_hot = start + int(hot[-1])

    def outputs(self, start: int, stop: int, values: Floats, expected: Floats, score: Floats) -> None:
        assert self.ask is not None
        reach, direction = self.ask.reach, self.ask.direction
        lower, upper, anomaly = self.lower[start:stop], self.upper[start:stop], self.anomaly[start:stop]
        np.subtract(expected, reach, out=lower)
        np.add(expected, reach, out=upper)
        if self.clip:
            np.clip(lower, -LARGEST, LARGEST, out=lower)
            np.clip(upper, -LARGEST, LARGEST, out=upper)
        np.greater_equal(score, self.ask.alert, out=anomaly)
        if direction is Direction.UP:
            anomaly &= np.greater(values, expected, out=self.flags[: stop - start])
        elif direction is Direction.DOWN:
            anomaly &= np.less(values, expected, out=self.flags[: stop - start])


def _row_max(rows: Floats, out: Floats) -> None:
    # An elementwise maximum of whole rows: numpy's max along axis 0 walks the columns instead.
    if len(rows) == 1:
        np.copyto(out, rows[0])
        return
    np.maximum(rows[0], rows[1], out=out)
    for row in rows[2:]:
        np.maximum(out, row, out=out)


def finite_or(value: float, fallback: float) -> float:
    """`value` clipped into float64's finite range; `fallback` if it is NaN."""
    if math.isnan(value):
        return fallback
    return min(max(value, -LARGEST), LARGEST)
