"""A streaming anomaly detector: fit, then judge and fold in batches; its state round-trips through JSON."""

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from evaluate.prototype.likelihood import (
    MAD_TO_SIGMA,
    Likelihood,
    decades,
    decay,
    ew_fold,
    fold_distribution,
    moving_average,
    remember,
    surprise,
)
from evaluate.prototype.seasons import Period, bucket_count, buckets, detect_period, fold_buckets

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Kind = Literal["auto", "robust", "seasonal"]
Channel = Literal["level", "diff"]

# Bounds drawn around the expected value, in residual scales.
BAND_SCALES = 3.0
# Far larger than any refractory period: "no alert yet".
NEVER = 10**9
# The level and scales start from the median and MAD of the first points of the fit data.
HEAD_POINTS = 32


@dataclass(frozen=True)
class Params:
    """The detector's parameters; the defaults are the ones scored on NAB. Half-lives count points."""

    kind: Kind = "auto"  # robust, or seasonal when the fit data show a daily or weekly period
    channels: tuple[Channel, ...] = ("level", "diff")
    half_life: float = 1000.0  # forgetting of the level
    scale_half_life: float | None = None  # forgetting of the residual scales; None = half_life
    huber: float = 3.0  # residuals are clipped at huber scales before being learnt
    period: Period | None = None  # seasonal: None = detect from the fit data
    bucket_seconds: int = 3600  # seasonal: width of a time-of-day bucket
    season_half_life: float = 20.0  # seasonal: forgetting per bucket, in visits of that bucket
    min_scale_frac: float = 1e-3  # scale floor, as a fraction of the fit data's p1-p99 spread
    raw_cap: float = 20.0  # surprise cap, in decades of p-value
    avg_window: int = 10  # likelihood: moving average of surprises
    lik_half_life: float = 3000.0  # likelihood: forgetting of that average's distribution
    lik_min_std: float = 0.5  # likelihood: floor of that distribution's std, in decades
    lik_skip: float = 0.5  # fraction of the fit data kept out of that distribution (warm-up)
    score_half: float = 5.0  # anomaly score = D / (D + score_half)
    spatial: float = 0.02  # a new extreme beyond the seen range by this fraction of it scores 1; 0 = off
    range_half_life: float = 30_000.0  # forgetting of the seen range; 0 = never forget
    alert: float = 0.8  # the level to alert on
    refractory: int = 20  # points after an alert during which scores are capped; 0 = off
    yellow: float = 0.5  # ... at yellow * alert
    fit_chunk: int = 64  # fit streams the fit data in chunks of this size

    @property
    def scale_decay(self) -> float:
        return decay(self.scale_half_life or self.half_life)


@dataclass
class State:
    """Everything a fitted model remembers; `to_json` and `from_json` restore it exactly."""

    params: Params
    kind: Literal["robust", "seasonal"]
    period: Period | None
    level: float  # the robust level; for a seasonal model, the level of buckets not yet visited
    mad: float  # EW mean absolute level residual
    diff_mad: float  # EW mean absolute step between consecutive values
    scale_floor: float
    bucket_levels: Floats  # seasonal only (empty otherwise)
    bucket_counts: Ints  # visits per bucket; only "visited or not" matters
    channels: dict[str, Likelihood]
    vmin: float  # the range seen so far, forgetting slowly
    vmax: float
    since_alert: int  # points since the last point whose unsuppressed score reached `alert`
    count: int = 0
    last_time: int | None = None  # seconds since the epoch
    last_value: float | None = None

    def copy(self) -> "State":
        return replace(
            self,
            bucket_levels=self.bucket_levels.copy(),
            bucket_counts=self.bucket_counts.copy(),
            channels={name: memory.copy() for name, memory in self.channels.items()},
        )

    def to_json(self) -> str:
        data = asdict(self)
        data["bucket_levels"] = self.bucket_levels.tolist()
        data["bucket_counts"] = self.bucket_counts.tolist()
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> "State":
        data: dict[str, Any] = json.loads(text)
        params = data.pop("params")
        params["channels"] = tuple(params["channels"])
        return cls(
            **{
                **data,
                "params": Params(**params),
                "bucket_levels": np.asarray(data["bucket_levels"], dtype=np.float64),
                "bucket_counts": np.asarray(data["bucket_counts"], dtype=np.int64),
                "channels": {name: Likelihood(**memory) for name, memory in data["channels"].items()},
            }
        )


class Judgement(NamedTuple):
    """Per point: the expected value, its band, the raw score in [0, 1] and the anomaly score in [0, 1]."""

    expected: Floats
    lower: Floats
    upper: Floats
    raw_score: Floats
    anomaly_score: Floats


@dataclass
class _Batch:
    """A batch judged against the state at its start: what `judge` returns and what `update` folds in."""

    seconds: Ints
    values: Floats
    expected: Floats
    scale: float
    surprises: dict[str, Floats] = field(default_factory=dict)
    averages: dict[str, Floats] = field(default_factory=dict)
    raw_score: Floats = field(default_factory=lambda: np.zeros(0))
    unsuppressed: Floats = field(default_factory=lambda: np.zeros(0))
    score: Floats = field(default_factory=lambda: np.zeros(0))


# ----------------------------------------------------------------------------- the public API


def fit(timestamps: ArrayLike, values: ArrayLike, params: Params | None = None) -> State:
    """A model of the fit data: initialise from its head, then stream all of it through `update`'s fold."""
    params = params or Params()
    seconds = as_seconds(timestamps)
    x = np.asarray(values, dtype=np.float64)
    if len(x) < 2 or not np.all(np.isfinite(x)):
        raise ValueError("fit needs at least 2 finite values")
    state = _initial_state(seconds, x, params)
    # The first scores are judged by a barely formed model; keep them out of the likelihood's distribution.
    skip = int(params.lik_skip * len(x))
    for start in range(0, len(x), params.fit_chunk):
        stop = min(len(x), start + params.fit_chunk)
        batch = _judge(state, seconds[start:stop], x[start:stop])
        _fold(state, batch, likelihood_from=max(0, skip - start) if stop > skip else None)
    state.since_alert = NEVER
    return state


def judge(state: State, timestamps: ArrayLike, values: ArrayLike) -> Judgement:
    """Score a batch; every point is judged against the model as it was at the start of the batch."""
    batch = _judge(state, as_seconds(timestamps), np.asarray(values, dtype=np.float64))
    band = BAND_SCALES * batch.scale
    return Judgement(
        batch.expected, batch.expected - band, batch.expected + band, batch.raw_score, batch.score
    )


def update(state: State, timestamps: ArrayLike, values: ArrayLike) -> State:
    """A new state with the batch folded in (the given state is left as it was); O(len(batch))."""
    state = state.copy()
    _fold(
        state, _judge(state, as_seconds(timestamps), np.asarray(values, dtype=np.float64)), likelihood_from=0
    )
    return state


def as_seconds(timestamps: ArrayLike) -> Ints:
    """datetime64 of any unit, or integer seconds since the epoch, as int64 seconds."""
    stamps = np.asarray(timestamps)
    if np.issubdtype(stamps.dtype, np.datetime64):
        return stamps.astype("datetime64[s]").astype(np.int64)
    return stamps.astype(np.int64)


# ----------------------------------------------------------------------------- fit


def _initial_state(seconds: Ints, x: Floats, params: Params) -> State:
    q1, q99 = np.percentile(x, [1, 99])
    # A flat or two-valued series has no p1-p99 spread; without a floor every tiny change is
    # infinitely surprising.
    spread = float(q99 - q1) or float(np.max(np.abs(x))) or 1.0
    kind: Literal["robust", "seasonal"] = "robust"
    period = params.period
    if params.kind != "robust":
        period = period or detect_period(seconds, x)
        kind = "seasonal" if period else "robust"
    size = bucket_count(period, params.bucket_seconds) if kind == "seasonal" and period else 0
    head = x[:HEAD_POINTS]
    median = float(np.median(head))
    return State(
        params=params,
        kind=kind,
        period=period if kind == "seasonal" else None,
        level=median,
        mad=float(np.median(np.abs(head - median))),
        diff_mad=float(np.median(np.abs(np.diff(head)))),
        scale_floor=max(params.min_scale_frac * spread, 1e-12),
        bucket_levels=np.zeros(size),
        bucket_counts=np.zeros(size, dtype=np.int64),
        channels={name: Likelihood() for name in params.channels},
        vmin=float(x.min()),
        vmax=float(x.max()),
        since_alert=NEVER,
    )


# ----------------------------------------------------------------------------- judging


def _judge(state: State, seconds: Ints, x: Floats) -> _Batch:
    params = state.params
    batch = _Batch(seconds, x, _expected(state, seconds, len(x)), _level_scale(state))
    strongest = np.zeros(len(x))  # D: the likelihood's decades, max over channels
    raw_score = np.zeros(len(x))
    for name, memory in state.channels.items():
        raw = np.minimum(surprise(_channel_z(state, name, batch)), params.raw_cap)
        average = moving_average(memory.history, raw, params.avg_window)
        strongest = np.maximum(strongest, decades(memory, average, params.lik_min_std))
        batch.surprises[name], batch.averages[name] = raw, average
        raw_score = np.maximum(raw_score, raw / params.raw_cap)
    # Monotone, in [0, 1) and free of ties (so a corpus threshold is well defined): 0.8 <=> Q = 1e-20.
    score = strongest / (strongest + params.score_half)
    batch.raw_score = raw_score
    batch.unsuppressed = _new_extremes(state, x, score)
    batch.score = _suppress_within_episode(state, batch.unsuppressed)
    return batch


def _channel_z(state: State, name: str, batch: _Batch) -> Floats:
    if name == "level":
        return (batch.values - batch.expected) / batch.scale
    if name == "diff":
        if state.last_value is None:
            return np.zeros(len(batch.values))
        return _steps(state, batch.values) / _diff_scale(state)
    raise ValueError(f"unknown channel {name!r}")


def _expected(state: State, seconds: Ints, count: int) -> Floats:
    if state.kind == "seasonal" and state.period is not None:
        bucket = buckets(seconds, state.period, state.params.bucket_seconds)
        # A bucket not yet visited falls back on the global level.
        return np.where(state.bucket_counts[bucket] > 0, state.bucket_levels[bucket], state.level)
    return np.full(count, state.level)


def _level_scale(state: State) -> float:
    return max(state.mad * MAD_TO_SIGMA, state.scale_floor)


def _diff_scale(state: State) -> float:
    return max(state.diff_mad * MAD_TO_SIGMA, state.scale_floor)


def _steps(state: State, x: Floats) -> Floats:
    """x minus the previous value: the residual of a persistence forecast, which catches fast moves."""
    previous = np.concatenate([[state.last_value], x[:-1]]).astype(np.float64)
    return x - previous


def _new_extremes(state: State, x: Floats, score: Floats) -> Floats:
    """Score 1 for a value beyond the range seen so far (earlier points of the batch included) by a margin."""
    spatial = state.params.spatial
    if spatial <= 0 or state.vmax <= state.vmin:
        return score
    margin = spatial * (state.vmax - state.vmin)
    # Running extremes make a batch give the same verdict as point-by-point streaming.
    running_max = np.maximum.accumulate(np.r_[state.vmax, x])[:-1]
    running_min = np.minimum.accumulate(np.r_[state.vmin, x])[:-1]
    novel = (x > running_max + margin) | (x < running_min - margin)
    return np.asarray(np.where(novel, 1.0, score), dtype=np.float64)


def _suppress_within_episode(state: State, unsuppressed: Floats) -> Floats:
    """Cap points within `refractory` points after an alert at yellow * alert: one alert per episode."""
    params = state.params
    if params.refractory <= 0:
        return unsuppressed
    window = params.refractory
    hot = np.concatenate([[0], np.cumsum(unsuppressed >= params.alert)])
    index = np.arange(len(unsuppressed))
    recent = (hot[index] - hot[np.maximum(index - window, 0)] > 0) | (state.since_alert + index + 1 <= window)
    return np.where(recent, np.minimum(unsuppressed, params.yellow * params.alert), unsuppressed)


# ----------------------------------------------------------------------------- folding in


def _fold(state: State, batch: _Batch, likelihood_from: int | None) -> None:
    """Learn a judged batch; `likelihood_from` is the first point whose average enters the distribution."""
    params = state.params
    x = batch.values
    if "diff" in state.channels and state.last_value is not None:
        limit = params.huber * _diff_scale(state)
        state.diff_mad = ew_fold(
            state.diff_mad, np.minimum(np.abs(_steps(state, x)), limit), params.scale_decay
        )
    _fold_level(state, batch)
    for name, memory in state.channels.items():
        remember(memory, batch.surprises[name], params.avg_window)
        average = batch.averages[name]
        if likelihood_from is not None and len(average) > likelihood_from:
            fold_distribution(memory, average[likelihood_from:], decay(params.lik_half_life))
    _fold_range(state, x)
    hot = np.nonzero(batch.unsuppressed >= params.alert)[0]
    state.since_alert = len(x) - 1 - int(hot[-1]) if len(hot) else state.since_alert + len(x)
    state.count += len(x)
    state.last_time = int(batch.seconds[-1])
    state.last_value = float(x[-1])


def _fold_level(state: State, batch: _Batch) -> None:
    """Huber-clipped EWMA: an outlier moves the level and the scale by at most `huber` scales."""
    params = state.params
    residual = batch.values - batch.expected
    limit = params.huber * _level_scale(state)
    clipped = np.clip(residual, -limit, limit)
    state.mad = ew_fold(state.mad, np.abs(clipped), params.scale_decay)
    learnt = batch.expected + clipped
    state.level = ew_fold(state.level, learnt, decay(params.half_life))
    if state.kind == "seasonal" and state.period is not None:
        bucket = buckets(batch.seconds, state.period, params.bucket_seconds)
        state.bucket_levels, state.bucket_counts = fold_buckets(
            state.bucket_levels,
            state.bucket_counts,
            bucket,
            learnt,
            batch.values,
            decay(params.season_half_life),
        )


def _fold_range(state: State, x: Floats) -> None:
    """Shrink the seen range toward the level, slowly, so that one freak value does not blind the model."""
    if state.params.range_half_life > 0:
        shrink = decay(state.params.range_half_life) ** len(x)
        level = state.level
        if state.vmax > level:
            state.vmax = level + (state.vmax - level) * shrink
        if state.vmin < level:
            state.vmin = level - (level - state.vmin) * shrink
    state.vmax = max(state.vmax, float(x.max()))
    state.vmin = min(state.vmin, float(x.min()))
