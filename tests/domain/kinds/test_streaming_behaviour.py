"""What the streaming kinds are for: a clean cycle raises nothing, a contextual or out-of-range point
does; outliers do not widen the band; a lasting shift becomes the new normal while a spike does not."""

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from anomaly.domain.detection import Threshold
from anomaly.domain.kinds.streaming.model import ROBUST, SEASONAL, StreamingKind
from anomaly.domain.model_kind import Model
from anomaly.domain.time_series import BatchLimits, TimeSeries

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

START = 1_704_067_200  # 2024-01-01T00:00:00Z
ALERT = 0.8  # the kinds' default alert level
CAPPED = 0.4  # scores within an episode are capped at yellow * alert
LIMITS = BatchLimits(min_points=1, max_points=1_000_000)


def cycle(days: int, step: int, seed: int, start_day: int = 0) -> tuple[Ints, Floats]:
    """A noisy daily cycle: 10 at midnight, 90 at noon, noise of std 1."""
    per_day = 86_400 // step
    rows = np.arange(start_day * per_day, (start_day + days) * per_day, dtype=np.int64)
    hours = (rows % per_day) * step / 3600.0
    noise = np.random.default_rng(seed).normal(0.0, 1.0, len(rows))
    return START + step * rows, 50.0 - 40.0 * np.cos(2 * np.pi * hours / 24.0) + noise


def noise(count: int, seed: int, level: float = 100.0) -> tuple[Ints, Floats]:
    values = np.random.default_rng(seed).normal(level, 1.0, count)
    return START + 60 * np.arange(count, dtype=np.int64), values


def fitted(
    kind: StreamingKind, seconds: Ints, values: Floats, parameters: dict[str, Any] | None = None
) -> Model:
    return kind.fit(TimeSeries.parse(seconds, values, LIMITS), parameters or {})


def stream(
    model: Model, seconds: Ints, values: Floats, batch: int = 10
) -> tuple[Model, Floats, npt.NDArray[np.bool_]]:
    """The client loop: judge each batch against the model, then fold it in."""
    scores, flags = np.zeros(len(values)), np.zeros(len(values), dtype=np.bool_)
    for start in range(0, len(values), batch):
        stop = start + batch
        judged = model.judge(seconds[start:stop], values[start:stop], Threshold())
        scores[start:stop], flags[start:stop] = judged.anomaly_score, judged.anomaly
        model = model.updated(seconds[start:stop], values[start:stop])
    return model, scores, flags


@pytest.mark.parametrize("step", [300, 3600])
def test_a_seasonal_model_lets_a_clean_day_pass_and_catches_an_out_of_range_spike(step: int) -> None:
    seconds, values = cycle(4, step, seed=1)
    model = fitted(SEASONAL, seconds, values)
    assert model.describe()["period"] == "day"
    fresh_seconds, fresh_values = cycle(1, step, seed=2, start_day=4)

    _, clean_scores, clean_flags = stream(model, fresh_seconds, fresh_values)
    assert not clean_flags.any()
    assert clean_scores.max() < CAPPED

    spike = len(fresh_values) // 3
    spiked = fresh_values.copy()
    spiked[spike] = 130.0  # 40 above anything seen
    _, _, flags = stream(model, fresh_seconds, spiked)
    assert np.flatnonzero(flags).tolist() == [spike]


def test_a_seasonal_model_catches_night_time_values_at_the_noon_level() -> None:
    step = 300
    seconds, values = cycle(4, step, seed=3)
    model = fitted(SEASONAL, seconds, values)
    fresh_seconds, fresh_values = cycle(1, step, seed=4, start_day=4)
    night, noon = 3 * 3600 // step, 12 * 3600 // step
    assert values.min() < fresh_values[noon] < values.max()  # an ordinary value, only not at that hour

    contextual = fresh_values.copy()
    contextual[night : night + 3] = fresh_values[noon]
    _, scores, flags = stream(model, fresh_seconds, contextual)
    # Averaged over 10 points, a quarter of an hour of them is one alert; its episode caps the rest.
    assert np.flatnonzero(flags).tolist() == [night + 2]
    assert scores[night + 3 : night + 20].max() <= CAPPED

    # The robust kind has no notion of the hour: to it the same values are ordinary.
    robust = fitted(ROBUST, seconds, values)
    _, _, robust_flags = stream(robust, fresh_seconds, contextual)
    assert not robust_flags[night : night + 10].any()


def test_an_alert_opens_an_episode_that_later_alerts_do_not_repeat() -> None:
    seconds, values = noise(3000, seed=5)
    model = fitted(ROBUST, seconds[:1000], values[:1000])
    spiked = values[1000:].copy()
    spiked[[100, 105, 200]] = [150.0, 160.0, 170.0]  # each a new extreme

    _, _, flags = stream(model, seconds[1000:], spiked)
    # 105 falls within 20 points of the alert at 100; 200 starts a new episode.
    assert np.flatnonzero(flags).tolist() == [100, 200]
    # Without episodes, the spike's surprise keeps the 10-point average high for the points after it too.
    unsuppressed_model = fitted(ROBUST, seconds[:1000], values[:1000], {"refractory": 0})
    _, _, unsuppressed = stream(unsuppressed_model, seconds[1000:], spiked)
    assert {100, 105, 200} < set(np.flatnonzero(unsuppressed).tolist())


def test_outliers_in_the_fit_data_do_not_widen_the_robust_band() -> None:
    seconds, values = noise(2000, seed=6)
    values[[100, 700, 1300, 1900]] = 1e4
    model = fitted(ROBUST, seconds, values)

    summary = model.summary()
    assert float(np.std(values)) > 300  # what mean and std would make of them
    assert 0.7 < summary.std < 1.5
    assert abs(summary.mean - 100.0) < 1.0
    band = model.band(seconds[:1], Threshold())
    assert 96.0 < band.lower[0] < band.upper[0] < 104.0


def test_a_lasting_shift_becomes_the_new_normal_while_a_spike_barely_moves_the_level() -> None:
    seconds, values = noise(1000, seed=7)
    model = fitted(ROBUST, seconds, values)
    scale = model.summary().std

    spiked = model.updated(seconds[:1] + 60_000, np.array([1e6]))
    assert abs(spiked.summary().mean - model.summary().mean) < 0.01 * scale
    assert spiked.summary().std < 1.01 * scale

    later_seconds, shifted = noise(10_000, seed=8, level=120.0)
    shifted_model, scores, flags = stream(model, later_seconds + 60_000, shifted)
    assert flags[0]  # the shift itself is the anomaly
    assert abs(shifted_model.summary().mean - 120.0) < 1.0
    # Only the odd new extreme of the noise (beyond all 10 000 values before it) still alerts.
    assert np.count_nonzero(flags[-5000:]) <= 1
    assert np.quantile(scores[-5000:], 0.99) < CAPPED

    # Typical values of the new level, each judged alone: anomalous to the model before the shift,
    # normal to the one after.
    fresh_seconds, fresh = noise(500, seed=9, level=120.0)
    points = list(
        zip((fresh_seconds + 2_000_000).tolist(), np.clip(fresh, 118.0, 122.0).tolist(), strict=True)
    )
    assert all(model.judge_point(second, value, Threshold()).anomaly for second, value in points)
    assert not any(shifted_model.judge_point(second, value, Threshold()).anomaly for second, value in points)
