"""What a streaming model remembers, and its JSON document (which restores it exactly)."""

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from anomaly.domain.kinds.stored import finite_number
from anomaly.domain.kinds.streaming.likelihood import Likelihood
from anomaly.domain.kinds.streaming.parameters import Params, Period, constants_document, with_constants
from anomaly.domain.kinds.streaming.seasons import bucket_count
from anomaly.domain.time_series import MAX_TIMESTAMP

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# Far larger than any refractory period: "no alert yet".
NEVER = 10**9
_PERIODS: tuple[Period, ...] = ("day", "week")
_KEYS = frozenset(
    (
        "constants",
        "period",
        "level",
        "mad",
        "diff_mad",
        "scale_floor",
        "bucket_levels",
        "bucket_counts",
        "channels",
        "vmin",
        "vmax",
        "since_alert",
        "count",
        "last_value",
        "first_timestamp",
        "last_timestamp",
        "minimum",
        "maximum",
    )
)


@dataclass
class State:
    """Everything a fitted model remembers. Mutable only while `detector` builds a new one."""

    params: Params
    period: Period | None  # None: no seasonal buckets (the robust kind, or no period found)
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
    count: int  # points learnt
    last_value: float | None  # the last point learnt, for the diff channel
    # What the summary reports; the maths never reads them.
    first_timestamp: int  # smallest timestamp learnt
    last_timestamp: int  # largest timestamp learnt
    minimum: float  # smallest value ever learnt (vmin forgets, this does not)
    maximum: float

    def copy(self) -> "State":
        copied = copy.copy(self)
        copied.bucket_levels = self.bucket_levels.copy()
        copied.bucket_counts = self.bucket_counts.copy()
        copied.channels = {name: memory.copy() for name, memory in self.channels.items()}
        return copied


def to_document(state: State) -> dict[str, Any]:
    """JSON values only; Python's float repr round-trips every float64 exactly."""
    return {
        "constants": constants_document(state.params),
        "period": state.period,
        "level": state.level,
        "mad": state.mad,
        "diff_mad": state.diff_mad,
        "scale_floor": state.scale_floor,
        "bucket_levels": state.bucket_levels.tolist(),
        "bucket_counts": state.bucket_counts.tolist(),
        "channels": {
            name: {
                "history": list(memory.history),
                "mean": memory.mean,
                "var": memory.var,
                "count": memory.count,
            }
            for name, memory in state.channels.items()
        },
        "vmin": state.vmin,
        "vmax": state.vmax,
        "since_alert": state.since_alert,
        "count": state.count,
        "last_value": state.last_value,
        "first_timestamp": state.first_timestamp,
        "last_timestamp": state.last_timestamp,
        "minimum": state.minimum,
        "maximum": state.maximum,
    }


def from_document(params: Params, document: object) -> State:
    """The state `to_document` wrote; ValueError, TypeError or KeyError for anything else.

    It reads a stored artifact: every field is checked for type and range, nothing is evaluated.
    """
    if not isinstance(document, dict):
        raise TypeError("a state must be an object")
    if set(document) != _KEYS:
        missing, extra = sorted(_KEYS - set(document)), sorted(set(document) - _KEYS)
        raise KeyError(f"state keys differ: missing {missing}, unexpected {extra}")
    params = with_constants(params, document["constants"])
    period = document["period"]
    if period is not None and period not in _PERIODS:
        raise ValueError(f"period must be null, 'day' or 'week', got {period!r}")
    if period is not None and (not params.seasonal or params.period not in ("auto", period)):
        raise ValueError(f"period {period!r} contradicts the parameters")
    size = bucket_count(period, params.bucket_seconds) if period is not None else 0
    levels = [
        finite_number(value, "bucket_levels") for value in _list(document["bucket_levels"], "bucket_levels")
    ]
    counts = [_count(value, "bucket_counts") for value in _list(document["bucket_counts"], "bucket_counts")]
    if len(levels) != size or len(counts) != size:
        raise ValueError(f"bucket_levels and bucket_counts must hold {size} items for period {period!r}")
    channels = document["channels"]
    if not isinstance(channels, dict) or list(channels) != list(params.channels):
        raise ValueError(f"channels must be {list(params.channels)}, in that order")
    last_value = document["last_value"]
    first_timestamp = _timestamp(document["first_timestamp"])
    last_timestamp = _timestamp(document["last_timestamp"])
    minimum, maximum = (
        finite_number(document["minimum"], "minimum"),
        finite_number(document["maximum"], "maximum"),
    )
    if first_timestamp > last_timestamp or minimum > maximum:
        raise ValueError("first_timestamp/minimum must not exceed last_timestamp/maximum")
    count = _count(document["count"], "count")
    if count < 1:
        raise ValueError("a model has learnt at least one point")
    return State(
        params=params,
        period=period,
        level=finite_number(document["level"], "level"),
        mad=_non_negative(document["mad"], "mad"),
        diff_mad=_non_negative(document["diff_mad"], "diff_mad"),
        scale_floor=_positive(document["scale_floor"], "scale_floor"),
        bucket_levels=np.asarray(levels, dtype=np.float64).reshape(size),
        bucket_counts=np.asarray(counts, dtype=np.int64).reshape(size),
        channels={name: _likelihood(channels[name], name, params) for name in params.channels},
        vmin=finite_number(document["vmin"], "vmin"),
        vmax=finite_number(document["vmax"], "vmax"),
        since_alert=_count(document["since_alert"], "since_alert"),
        count=count,
        last_value=None if last_value is None else finite_number(last_value, "last_value"),
        first_timestamp=first_timestamp,
        last_timestamp=last_timestamp,
        minimum=minimum,
        maximum=maximum,
    )


def _likelihood(document: object, name: str, params: Params) -> Likelihood:
    if not isinstance(document, dict) or set(document) != {"history", "mean", "var", "count"}:
        raise ValueError(f"channels.{name} must hold history, mean, var and count")
    # Surprises lie in [0, raw_cap], and so do their averages and those averages' mean: bounds
    # that keep the likelihood's arithmetic finite (the slack covers rounding).
    cap = params.raw_cap * (1 + 1e-9)
    history = [
        finite_number(value, f"channels.{name}.history") for value in _list(document["history"], "history")
    ]
    if len(history) > max(params.avg_window - 1, 0) or not all(0 <= value <= cap for value in history):
        raise ValueError(
            f"channels.{name}.history must hold at most {params.avg_window - 1} surprises in [0, cap]"
        )
    mean = finite_number(document["mean"], f"channels.{name}.mean")
    var = _non_negative(document["var"], f"channels.{name}.var")
    if not (0 <= mean <= cap and var <= cap * cap):
        raise ValueError(
            f"channels.{name}: mean or var beyond what surprises capped at {params.raw_cap} give"
        )
    return Likelihood(
        history=history, mean=mean, var=var, count=_count(document["count"], f"channels.{name}.count")
    )


def _list(value: object, name: str) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(f"{name} must be a list, got {type(value).__name__}")
    return value


def _non_negative(value: object, name: str) -> float:
    number = finite_number(value, name)
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return number


def _positive(value: object, name: str) -> float:
    number = finite_number(value, name)
    if number <= 0:
        raise ValueError(f"{name} must be above 0, got {value!r}")
    return number


def _count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if not 0 <= value <= MAX_TIMESTAMP:
        raise ValueError(f"{name} must be a count from 0, got {value!r}")
    return value


def _timestamp(value: object) -> int:
    return _count(value, "timestamp")
