"""The streaming kinds through the model-kind seam: a point judged alone as in a batch, an artifact
that restores exactly, updates that never change the model they start from, finite answers for
any finite input."""

import copy
import json
import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anomaly.domain.detection import Direction, Threshold
from anomaly.domain.kinds.streaming.model import ROBUST, SEASONAL, StreamingKind
from anomaly.domain.model_kind import Model
from anomaly.domain.time_series import MAX_TIMESTAMP, BatchLimits, TimeSeries

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

START = 1_704_067_200  # 2024-01-01T00:00:00Z
STEP = 300
PER_DAY = 86_400 // STEP
MAX_FLOAT = float(np.finfo(np.float64).max)
LIMITS = BatchLimits(min_points=1, max_points=1_000_000)


def daily_cycle(days: int, seed: int, start_day: int = 0) -> tuple[Ints, Floats]:
    rows = np.arange(start_day * PER_DAY, (start_day + days) * PER_DAY, dtype=np.int64)
    hours = (rows % PER_DAY) * STEP / 3600.0
    noise = np.random.default_rng(seed).normal(0.0, 1.0, len(rows))
    return START + STEP * rows, 50.0 - 40.0 * np.cos(2 * np.pi * hours / 24.0) + noise


def fitted(
    kind: StreamingKind, seconds: Ints, values: Floats, parameters: dict[str, Any] | None = None
) -> Model:
    return kind.fit(TimeSeries.parse(seconds, values, LIMITS), parameters or {})


def stream(model: Model, seconds: Ints, values: Floats, batch: int = 10) -> tuple[Model, Floats]:
    """The client loop: judge each batch against the model, then fold it in."""
    scores = np.zeros(len(values))
    for start in range(0, len(values), batch):
        stop = start + batch
        scores[start:stop] = model.judge(seconds[start:stop], values[start:stop], Threshold()).anomaly_score
        model = model.updated(seconds[start:stop], values[start:stop])
    return model, scores


def as_stored(document: dict[str, Any]) -> dict[str, Any]:
    """Through JSON as the artifact store writes it (no NaN, no Infinity)."""
    loaded: dict[str, Any] = json.loads(json.dumps(document, allow_nan=False))
    return loaded


def models() -> dict[str, Model]:
    """Models in the states a point may meet: fresh, mid-episode, robust, from one point, weekly."""
    seconds, values = daily_cycle(4, seed=1)
    seasonal = fitted(SEASONAL, seconds[: 3 * PER_DAY], values[: 3 * PER_DAY])
    spiked = values[3 * PER_DAY :].copy()
    spiked[30] += 200.0  # a new extreme: an alert, then its episode
    in_episode, _ = stream(seasonal, seconds[3 * PER_DAY : 3 * PER_DAY + 35], spiked[:35])
    return {
        "seasonal": seasonal,
        "in_episode": in_episode,
        "robust": fitted(ROBUST, seconds[: 2 * PER_DAY], values[: 2 * PER_DAY]),
        "weekly": fitted(SEASONAL, seconds[:200], values[:200], {"period": "week"}),
        "one_point": fitted(SEASONAL, seconds[:1], values[:1]),
        "two_points": fitted(ROBUST, seconds[:2], values[:2]),
    }


MODELS = models()

thresholds = st.builds(
    Threshold,
    k=st.floats(0.0, 1e6),
    direction=st.sampled_from([None, *Direction]),
    alert=st.one_of(st.none(), st.floats(0.01, 1.0)),
)
values_near = st.one_of(
    st.floats(-100.0, 300.0),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 50.0, MAX_FLOAT, -MAX_FLOAT]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(MODELS)),
    timestamp=st.one_of(st.integers(START, START + 30 * 86_400), st.integers(0, MAX_TIMESTAMP)),
    value=values_near,
    threshold=thresholds,
)
def test_a_point_judged_alone_scores_bit_for_bit_as_a_batch_of_one(
    name: str, timestamp: int, value: float, threshold: Threshold
) -> None:
    model = MODELS[name]
    batch = model.judge(np.array([timestamp]), np.array([value]), threshold)
    point = model.judge_point(timestamp, value, threshold)

    assert point.expected == batch.expected[0]
    assert point.lower == batch.lower[0]
    assert point.upper == batch.upper[0]
    assert point.score == batch.score[0]
    assert point.anomaly_score == batch.anomaly_score[0]
    assert point.anomaly == bool(batch.anomaly[0])
    assert all(math.isfinite(number) for number in (point.expected, point.lower, point.upper))
    assert point.score is not None
    assert 0.0 <= point.score <= 1.0
    assert 0.0 <= point.anomaly_score <= 1.0


@pytest.mark.parametrize("name", ["seasonal", "robust", "in_episode"])
def test_ordinary_points_judged_alone_score_bit_for_bit_as_in_a_batch(name: str) -> None:
    # Points in and around the model's range, where every step of the maths matters (none saturates).
    model = MODELS[name]
    rng = np.random.default_rng(11)
    seconds = START + 3 * 86_400 + rng.integers(0, 86_400, 3000)
    values = rng.uniform(0.0, 100.0, 3000)
    for second, value in zip(seconds.tolist(), values.tolist(), strict=True):
        batch = model.judge(np.array([second]), np.array([value]), Threshold())
        point = model.judge_point(second, value, Threshold())
        assert (point.score, point.anomaly_score) == (batch.score[0], batch.anomaly_score[0])


def test_the_state_restores_exactly_mid_episode_and_scores_the_same_afterwards() -> None:
    model = MODELS["in_episode"]
    restored = SEASONAL.restore(as_stored(model.parameters), as_stored(model.state()))
    assert restored.state() == model.state()
    assert restored.parameters == model.parameters

    seconds, values = daily_cycle(2, seed=4, start_day=4)
    values[100] -= 80.0
    _, kept_scores = stream(model, seconds, values)
    _, restored_scores = stream(restored, seconds, values)
    np.testing.assert_array_equal(restored_scores, kept_scores)
    assert kept_scores[:5].max() <= 0.4  # the split fell inside the episode: its cap was carried over


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_round_trips_through_json(name: str) -> None:
    model = MODELS[name]
    kind = SEASONAL if model.kind == "seasonal" else ROBUST
    restored = kind.restore(as_stored(model.parameters), as_stored(model.state()))
    assert restored.state() == model.state()
    assert restored.summary() == model.summary()
    assert restored.describe() == model.describe()


def test_judging_and_updating_never_change_the_model_or_the_batch() -> None:
    model = MODELS["in_episode"]
    before = copy.deepcopy(model.state())
    seconds, values = daily_cycle(1, seed=5, start_day=5)
    kept_seconds, kept_values = seconds.copy(), values.copy()
    first = model.judge(seconds, values, Threshold())

    newer = model.updated(seconds, values)
    model.judge_point(int(seconds[0]), float(values[0]), Threshold())
    model.band(seconds, Threshold())

    assert model.state() == before
    assert newer.state() != before
    np.testing.assert_array_equal(
        model.judge(seconds, values, Threshold()).anomaly_score, first.anomaly_score
    )
    np.testing.assert_array_equal(seconds, kept_seconds)
    np.testing.assert_array_equal(values, kept_values)
    assert newer.summary().points_used == model.summary().points_used + len(values)


def test_an_update_folds_points_in_order_whatever_their_timestamps() -> None:
    model = MODELS["seasonal"]
    seconds = np.array([START + 10 * 86_400, START - 5 * 86_400, START + 10 * 86_400], dtype=np.int64)
    newer = model.updated(seconds, np.array([1.0, 500.0, -3.0]))

    summary, before = newer.summary(), model.summary()
    assert summary.first_timestamp == START - 5 * 86_400
    assert summary.last_timestamp == START + 10 * 86_400
    assert (summary.minimum, summary.maximum) == (-3.0, 500.0)
    assert summary.points_used == before.points_used + 3


def test_the_summary_keeps_the_true_extremes_while_the_seen_range_forgets() -> None:
    seconds, values = daily_cycle(3, seed=6)
    values[10] = 1000.0
    model = fitted(ROBUST, seconds, values, {"half_life": 50})
    later_seconds = seconds[-1] + STEP * np.arange(1, 60_001, dtype=np.int64)
    later = model.updated(later_seconds, np.full(60_000, 50.0))

    summary = later.summary()
    assert summary.maximum == 1000.0
    assert summary.minimum == float(values.min())
    assert summary.points_used == len(values) + 60_000
    assert (summary.first_timestamp, summary.last_timestamp) == (int(seconds[0]), int(later_seconds[-1]))
    assert summary.mean == pytest.approx(50.0)
    # The seen range shrank toward the level: 1000 is far less out of range than it was.
    assert later.state()["vmax"] < 300.0


def test_describe_shows_the_profile_with_unvisited_buckets_as_null() -> None:
    seconds, values = daily_cycle(2, seed=7)
    keep = (seconds % 86_400) < 12 * 3600  # mornings only: the afternoon buckets are never visited
    model = fitted(SEASONAL, seconds[keep], values[keep], {"period": "day"})
    described = model.describe()
    json.dumps(described, allow_nan=False)

    assert described["kind"] == "seasonal"
    assert described["period"] == "day"
    assert described["bucket_seconds"] == 3600
    levels = described["bucket_levels"]
    assert len(levels) == 24
    assert all(level is not None for level in levels[:12])
    assert levels[12:] == [None] * 12
    assert levels[0] < 20.0 < levels[11]  # night low, late morning high
    assert described["scale"] == model.summary().std
    assert described["points_used"] == int(keep.sum())
    assert MODELS["robust"].describe()["bucket_levels"] == []
    assert MODELS["robust"].describe()["period"] is None


def test_the_band_and_the_verdicts_follow_the_threshold() -> None:
    model = MODELS["seasonal"]
    scale = model.summary().std
    seconds = np.array([START + 3 * 86_400 + 3 * 3600, START + 3 * 86_400 + 12 * 3600], dtype=np.int64)
    band = model.band(seconds, Threshold(k=2.0))
    np.testing.assert_array_equal(band.lower, band.expected - 2.0 * scale)
    np.testing.assert_array_equal(band.upper, band.expected + 2.0 * scale)
    assert band.expected[0] < 30.0 < band.expected[1]  # 03:00 is low, noon high
    judged = model.judge(seconds, band.expected, Threshold(k=2.0))
    np.testing.assert_array_equal(judged.expected, band.expected)
    np.testing.assert_array_equal(judged.lower, band.lower)

    low = np.array([-500.0])  # far below anything seen: a new extreme, scored 1
    at = seconds[:1]
    assert model.judge(at, low, Threshold()).anomaly[0]
    assert model.judge(at, low, Threshold(direction=Direction.BOTH)).anomaly[0]
    assert model.judge(at, low, Threshold(direction=Direction.DOWN)).anomaly[0]
    assert not model.judge(at, low, Threshold(direction=Direction.UP)).anomaly[0]
    assert not model.judge_point(int(at[0]), -500.0, Threshold(direction=Direction.UP)).anomaly

    # The alert level: the model's own (0.8) unless the request names one.
    next_seconds = np.array([START + 3 * 86_400], dtype=np.int64)  # right after the fit data
    usual = model.band(next_seconds, Threshold()).expected
    ordinary = model.judge(next_seconds, usual, Threshold())
    assert 0 < ordinary.anomaly_score[0] < 0.5
    assert not ordinary.anomaly[0]
    assert model.judge(next_seconds, usual, Threshold(alert=ordinary.anomaly_score[0])).anomaly[0]


def test_huge_bands_are_clipped_to_finite_bounds() -> None:
    model = MODELS["seasonal"]
    seconds = np.array([START], dtype=np.int64)
    judged = model.judge(seconds, np.array([0.0]), Threshold(k=1e6))
    assert np.isfinite(judged.lower).all()
    assert np.isfinite(judged.upper).all()
    huge = fitted(ROBUST, np.array([1, 2, 3]), np.array([-MAX_FLOAT, 0.0, MAX_FLOAT]))
    band = huge.band(np.array([5]), Threshold(k=1e6))
    assert (band.lower[0], band.upper[0]) == (-MAX_FLOAT, MAX_FLOAT)
    assert huge.judge_point(5, 1.0, Threshold(k=1e6)).upper == MAX_FLOAT
    # A finite expected value and a finite reach whose sum overflows.
    high = fitted(ROBUST, np.array([1, 2, 3]), np.array([MAX_FLOAT, MAX_FLOAT * 0.999, MAX_FLOAT]))
    assert high.band(np.array([5]), Threshold(k=1e6)).upper[0] == MAX_FLOAT
    assert high.judge(np.array([5]), np.array([0.0]), Threshold(k=1e6)).upper[0] == MAX_FLOAT


def test_empty_batches_are_judged_and_learnt_as_nothing() -> None:
    model = MODELS["seasonal"]
    none_seconds, none_values = np.zeros(0, dtype=np.int64), np.zeros(0)
    judged = model.judge(none_seconds, none_values, Threshold())
    assert all(len(column) == 0 for column in judged)
    assert len(model.band(none_seconds, Threshold()).expected) == 0
    assert model.updated(none_seconds, none_values).state() == model.state()


def test_one_point_is_enough_to_fit() -> None:
    model = MODELS["one_point"]
    seconds, values = daily_cycle(1, seed=1)
    summary = model.summary()
    assert summary.points_used == 1
    assert summary.mean == values[0]
    assert summary.std > 0  # the floor, from |x|
    assert model.describe()["period"] is None
    assert not model.judge_point(int(seconds[1]), float(values[0]), Threshold()).anomaly
    assert model.judge_point(int(seconds[1]), float(values[0]) + 100.0, Threshold()).anomaly
    zero = fitted(ROBUST, seconds[:1], np.zeros(1))
    assert zero.summary().std > 0
    assert math.isfinite(zero.judge_point(int(seconds[1]), 1.0, Threshold()).anomaly_score)


finite_values = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from([ROBUST, SEASONAL]),
    head=st.lists(finite_values, min_size=1, max_size=80),
    tail=st.lists(finite_values, min_size=1, max_size=30),
    step=st.integers(1, 4 * 3600),
)
def test_any_finite_values_give_finite_answers_and_a_storable_state(
    kind: StreamingKind, head: list[float], tail: list[float], step: int
) -> None:
    head_seconds = START + step * np.arange(len(head), dtype=np.int64)
    model = fitted(kind, head_seconds, np.array(head), {"period": "day"} if kind is SEASONAL else {})
    tail_seconds = head_seconds[-1] + step * np.arange(1, len(tail) + 1, dtype=np.int64)
    tail_values = np.array(tail)
    # pytest turns any numpy RuntimeWarning (overflow, invalid) into an error here.
    judged = model.judge(tail_seconds, tail_values, Threshold(k=1e6))
    newer = model.updated(tail_seconds, tail_values)
    again = newer.judge(tail_seconds, tail_values, Threshold())

    for verdicts in (judged, again):
        for column in (
            verdicts.expected,
            verdicts.lower,
            verdicts.upper,
            verdicts.score,
            verdicts.anomaly_score,
        ):
            assert np.isfinite(column).all()
        assert ((verdicts.anomaly_score >= 0) & (verdicts.anomaly_score <= 1)).all()
    restored = kind.restore(as_stored(newer.parameters), as_stored(newer.state()))
    assert restored.state() == newer.state()
    json.dumps(newer.describe(), allow_nan=False)


def mutated(document: dict[str, Any], path: tuple[str, ...], value: object) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target = changed
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


BROKEN_STATES = [
    (("level",), KeyError),
    (("level",), float("nan")),
    (("level",), float("inf")),
    (("level",), "50.0"),
    (("level",), None),
    (("level",), 10**400),
    (("mad",), -1.0),
    (("scale_floor",), 0.0),
    (("count",), True),
    (("count",), -5),
    (("count",), 3.5),
    (("since_alert",), -1),
    (("period",), "month"),
    (("bucket_levels",), [1.0] * 23),
    (("bucket_levels",), "[]"),
    (("bucket_counts",), [1] * 23 + [-1]),
    (("bucket_counts",), [1.5] * 24),
    (("channels", "diff"), KeyError),
    (("channels", "level", "history"), [1.0] * 10),
    (("channels", "level", "var"), -0.5),
    (("channels", "level", "mean"), 1e300),  # beyond what capped surprises average to
    (("channels", "diff", "history"), [1e300]),
    (("channels", "level", "count"), "7"),
    (("constants", "avg_window"), 0),
    (("constants", "bucket_seconds"), 7000),
    (("constants", "channels"), ["level", "sequence"]),
    (("constants", "huber"), KeyError),
    (("constants", "huber"), 10**400),
    (("constants", "raw_cap"), 1e6),
    (("constants", "spatial"), float("nan")),
    (("first_timestamp",), -1),
    (("minimum",), 1e9),  # above the maximum
    (("extra",), 1),
]


@pytest.mark.parametrize(("path", "value"), BROKEN_STATES)
def test_restore_rejects_a_malformed_state(path: tuple[str, ...], value: object) -> None:
    model = MODELS["seasonal"]
    assert model.describe()["period"] == "day"
    document = mutated(model.state(), path, value)
    with pytest.raises((ValueError, TypeError, KeyError)):
        SEASONAL.restore(model.parameters, document)


def test_restore_rejects_a_state_that_contradicts_its_parameters() -> None:
    seasonal, robust = MODELS["seasonal"], MODELS["robust"]
    with pytest.raises(ValueError, match="period"):
        ROBUST.restore(robust.parameters, seasonal.state())
    with pytest.raises(ValueError, match="period"):
        SEASONAL.restore({**seasonal.parameters, "period": "week"}, seasonal.state())
    broken: object
    for broken in ([], "state", None):
        with pytest.raises((ValueError, TypeError, KeyError)):
            SEASONAL.restore(seasonal.parameters, broken)  # type: ignore[arg-type]


def leaf_paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(document, dict):
        return [prefix] + [
            path for key, value in document.items() for path in leaf_paths(value, (*prefix, key))
        ]
    if isinstance(document, list):
        return [prefix] + [
            path for index, value in enumerate(document) for path in leaf_paths(value, (*prefix, index))
        ]
    return [prefix]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=5,
)
STATE = MODELS["in_episode"].state()
PATHS = [path for path in leaf_paths(STATE) if path]


@settings(max_examples=500, deadline=None)
@given(path=st.sampled_from(PATHS), value=json_values)
def test_restore_of_any_corrupted_state_raises_only_the_documented_errors(
    path: tuple[Any, ...], value: object
) -> None:
    document = copy.deepcopy(STATE)
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        model = SEASONAL.restore(MODELS["in_episode"].parameters, document)
    except (ValueError, TypeError, KeyError):
        return
    # Whatever it accepted is a model that judges finitely.
    judged = model.judge(np.array([START]), np.array([50.0]), Threshold())
    assert np.isfinite(judged.anomaly_score).all()
    assert np.isfinite(judged.expected).all()
