"""The `robust` and `seasonal` kinds score exactly as the reference detector (`evaluate/prototype`)
does, driven by the same client loop: fit on the head, then judge and update in batches of 10."""

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pytest

from anomaly.domain.detection import Threshold
from anomaly.domain.kinds.streaming.model import ROBUST, SEASONAL, StreamingKind
from anomaly.domain.model_kind import Model
from anomaly.domain.time_series import BatchLimits, TimeSeries
from evaluate.nab.corpus import read_timestamped_column
from evaluate.prototype import detector as reference
from tests.support.nab import require_nab

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

BATCH = 10
START = 1_704_067_200  # 2024-01-01T00:00:00Z, a Monday
# NAB files with a daily cycle, a weekly one, repeated timestamps and a step back in time, flat stretches.
NAB_FILES = (
    "artificialWithAnomaly/art_daily_jumpsup.csv",
    "realKnownCause/nyc_taxi.csv",
    "realKnownCause/ec2_request_latency_system_failure.csv",
    "realKnownCause/machine_temperature_system_failure.csv",
    "realAWSCloudwatch/ec2_cpu_utilization_825cc2.csv",
)


class Columns(NamedTuple):
    expected: Floats
    lower: Floats
    upper: Floats
    raw_score: Floats
    anomaly_score: Floats


def reference_loop(
    seconds: Ints, values: Floats, fitted: int, params: reference.Params
) -> tuple[Columns, reference.State]:
    state = reference.fit(seconds[:fitted], values[:fitted], params)
    parts = []
    for start in range(fitted, len(values), BATCH):
        stop = start + BATCH
        parts.append(reference.judge(state, seconds[start:stop], values[start:stop]))
        state = reference.update(state, seconds[start:stop], values[start:stop])
    return Columns(*(np.concatenate(column) for column in zip(*parts, strict=True))), state


def kind_loop(
    kind: StreamingKind, parameters: dict[str, Any], seconds: Ints, values: Floats, fitted: int
) -> tuple[Columns, Model]:
    # The fit data of some NAB files repeat a timestamp; the kinds fold them in order, as the reference does.
    limits = BatchLimits(min_points=1, max_points=len(values), in_order=False)
    model = kind.fit(TimeSeries.parse(seconds[:fitted], values[:fitted], limits), parameters)
    parts = []
    for start in range(fitted, len(values), BATCH):
        stop = start + BATCH
        judged = model.judge(seconds[start:stop], values[start:stop], Threshold())
        parts.append((judged.expected, judged.lower, judged.upper, judged.score, judged.anomaly_score))
        model = model.updated(seconds[start:stop], values[start:stop])
    return Columns(*(np.concatenate(column) for column in zip(*parts, strict=True))), model


def assert_same(
    seconds: Ints,
    values: Floats,
    fitted: int,
    params: reference.Params,
    kind: StreamingKind,
    parameters: dict[str, Any],
) -> Floats:
    expected, state = reference_loop(seconds, values, fitted, params)
    actual, model = kind_loop(kind, parameters, seconds, values, fitted)
    for name, want, got in zip(Columns._fields, expected, actual, strict=True):
        np.testing.assert_array_equal(got, want, err_msg=name)
    assert model.describe()["period"] == state.period
    assert model.summary().mean == state.level
    return actual.anomaly_score


def daily_cycle(days: int, step: int, seed: int) -> tuple[Ints, Floats]:
    seconds = START + step * np.arange(days * 86_400 // step, dtype=np.int64)
    hours = (seconds % 86_400) / 3600.0
    noise = np.random.default_rng(seed).normal(0.0, 1.0, len(seconds))
    return seconds, 50.0 - 40.0 * np.cos(2 * np.pi * hours / 24.0) + noise


def with_anomalies(values: Floats) -> Floats:
    """A spike beyond the range, a dip, a lasting shift and a burst of noise, in the judged part."""
    changed = values.copy()
    count = len(changed)
    changed[count // 2] += 300.0
    changed[count // 2 + 200 : count // 2 + 203] -= 25.0
    changed[3 * count // 4 :] += 15.0
    changed[7 * count // 8 : 7 * count // 8 + 50] += np.random.default_rng(9).normal(0, 10, 50)
    return changed


@pytest.mark.parametrize("seed", [1, 2])
def test_seasonal_matches_the_reference_on_five_minute_daily_cycles(seed: int) -> None:
    seconds, values = daily_cycle(10, 300, seed)
    scores = assert_same(seconds, with_anomalies(values), 600, reference.Params(), SEASONAL, {})
    assert (scores >= reference.Params().alert).any()  # the comparison covers alerts and their episodes


def test_seasonal_matches_the_reference_on_an_hourly_weekly_cycle() -> None:
    seconds, values = daily_cycle(70, 3600, 3)
    weekend = ((seconds // 86_400 + 3) % 7) >= 5
    values = np.where(weekend, values * 0.3, values)
    assert_same(seconds, with_anomalies(values), 500, reference.Params(), SEASONAL, {})


def test_robust_matches_the_reference() -> None:
    seconds, values = daily_cycle(10, 300, 4)
    assert_same(seconds, with_anomalies(values), 600, reference.Params(kind="robust"), ROBUST, {})


def test_seasonal_without_a_period_matches_the_reference_on_a_quantised_series() -> None:
    # Few distinct values (a CPU series): no period, a zero MAD, the scale floor at work.
    rng = np.random.default_rng(5)
    values = np.round(rng.normal(10.0, 0.4, 3000) * 2) / 2
    seconds = START + 300 * np.arange(3000, dtype=np.int64)
    assert_same(seconds, with_anomalies(values), 450, reference.Params(), SEASONAL, {})


def test_every_client_parameter_reaches_the_maths_as_the_reference_names_it() -> None:
    seconds, values = daily_cycle(8, 300, 6)
    params = reference.Params(half_life=300.0, alert=0.7, refractory=5, period="day", season_half_life=10.0)
    parameters = {"half_life": 300, "alert": 0.7, "refractory": 5, "period": "day", "season_half_life": 10}
    assert_same(seconds, with_anomalies(values), 300, params, SEASONAL, parameters)


def test_batches_with_repeated_and_backward_timestamps_match_the_reference() -> None:
    seconds, values = daily_cycle(6, 300, 7)
    seconds[900:905] = seconds[899]
    seconds[1200] -= 3300
    assert_same(seconds, with_anomalies(values), 600, reference.Params(), SEASONAL, {})


def test_fit_and_update_of_large_batches_match_the_reference() -> None:
    # One judge of many blocks (the running sums, extremes and episodes carried between blocks) and
    # updates far longer than the fit's chunks.
    seconds, values = daily_cycle(150, 300, 8)  # 43 200 points, several blocks of a batch
    values = with_anomalies(values)
    # Not a new extreme: the spike at 15 000, a block earlier in the same batch, went higher.
    values[15_000], values[25_000] = 400.0, 399.0
    fitted = 5000
    state = reference.fit(seconds[:fitted], values[:fitted])
    model = SEASONAL.fit(TimeSeries.parse(seconds[:fitted], values[:fitted], BatchLimits(1, fitted)), {})
    for start, stop in ((fitted, 40_000), (40_000, 40_001), (40_001, len(values))):
        want = reference.judge(state, seconds[start:stop], values[start:stop])
        got = model.judge(seconds[start:stop], values[start:stop], Threshold())
        np.testing.assert_array_equal(got.anomaly_score, want.anomaly_score)
        np.testing.assert_array_equal(got.expected, want.expected)
        state = reference.update(state, seconds[start:stop], values[start:stop])
        model = model.updated(seconds[start:stop], values[start:stop])
    assert model.summary().mean == state.level
    assert model.summary().std == max(state.mad * 1.2533141373155, state.scale_floor)


@pytest.mark.parametrize("name", NAB_FILES)
def test_seasonal_matches_the_reference_on_nab_files(name: str) -> None:
    root: Path = require_nab()
    stamps, values = read_timestamped_column(root / "data" / name, "value")
    seconds = stamps.astype("datetime64[s]").astype(np.int64)
    # NAB's probationary period, as the offline client loop fits on it.
    fitted = min(int(0.15 * len(values)), 750)
    assert_same(seconds, values, fitted, reference.Params(), SEASONAL, {})
