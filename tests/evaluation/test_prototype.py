"""The reference detector: its state survives JSON mid-stream, it knows a daily cycle, its NAB score holds."""

import numpy as np

from evaluate.nab.corpus import Floats, Timestamps, load_corpus
from evaluate.nab.scoring import evaluate_detector
from evaluate.prototype.detector import Params, State, fit, judge, update
from evaluate.prototype.offline import score_corpus
from tests.support.nab import require_nab

STEP_MINUTES = 5
PER_DAY = 24 * 60 // STEP_MINUTES
ALERT = Params().alert
# Scores inside an episode are capped here; a clean day should stay below even this.
YELLOW = Params().yellow * ALERT
# The offline corpus score on the standard profile is 70.58; this leaves room for harmless drift only.
MIN_STANDARD_SCORE = 68.0


def daily_cycle(days: int, seed: int, start_day: int = 0) -> tuple[Timestamps, Floats]:
    """Five-minute points of a noisy daily cycle: low at night, peaking at noon."""
    rows = np.arange(start_day * PER_DAY, (start_day + days) * PER_DAY)
    timestamps = np.datetime64("2024-01-01T00:00:00", "s") + rows * np.timedelta64(STEP_MINUTES, "m")
    hours = (rows % PER_DAY) * STEP_MINUTES / 60.0
    noise = np.random.default_rng(seed).normal(0.0, 1.0, len(rows))
    return timestamps, 50.0 - 40.0 * np.cos(2 * np.pi * hours / 24.0) + noise


def stream(state: State, timestamps: Timestamps, values: Floats, batch: int = 10) -> tuple[State, Floats]:
    """The client loop: judge each batch against the model, then fold it in."""
    scores = np.zeros(len(values))
    for start in range(0, len(values), batch):
        stop = start + batch
        scores[start:stop] = judge(state, timestamps[start:stop], values[start:stop]).anomaly_score
        state = update(state, timestamps[start:stop], values[start:stop])
    return state, scores


def test_state_round_trips_through_json_mid_stream_with_identical_scores() -> None:
    timestamps, values = daily_cycle(8, seed=1)
    values[5 * PER_DAY + 30] += 200.0  # a new extreme, so that an alert and its suppression are carried over
    fitted = fit(timestamps[: 3 * PER_DAY], values[: 3 * PER_DAY])
    middle = 5 * PER_DAY + 35
    state, _ = stream(fitted, timestamps[3 * PER_DAY : middle], values[3 * PER_DAY : middle])
    assert state.since_alert < Params().refractory  # the split falls inside a suppressed episode
    restored = State.from_json(state.to_json())

    assert restored.to_json() == state.to_json()
    _, kept_scores = stream(state, timestamps[middle:], values[middle:])
    _, restored_scores = stream(restored, timestamps[middle:], values[middle:])
    np.testing.assert_array_equal(restored_scores, kept_scores)


def test_a_clean_daily_cycle_raises_no_alert_and_night_time_noon_values_do() -> None:
    timestamps, values = daily_cycle(4, seed=2)
    state = fit(timestamps, values)
    assert (state.kind, state.period) == ("seasonal", "day")
    fresh_timestamps, fresh_values = daily_cycle(1, seed=3, start_day=4)

    _, clean_scores = stream(state, fresh_timestamps, fresh_values)
    assert clean_scores.max() < YELLOW

    night = 3 * 60 // STEP_MINUTES  # 03:00, when the cycle is at its lowest
    noon = 12 * 60 // STEP_MINUTES
    assert values.min() < fresh_values[noon] < values.max()  # an ordinary value, only not at that hour

    # One such point stands out (its episode peaks at about 0.72) but, averaged over 10 points, stays
    # below the alert level; a quarter of an hour of them is one alert.
    one_point = fresh_values.copy()
    one_point[night] = fresh_values[noon]
    _, one_point_scores = stream(state, fresh_timestamps, one_point)
    assert one_point_scores[night : night + 10].max() > YELLOW
    three_points = fresh_values.copy()
    three_points[night : night + 3] = fresh_values[noon]
    _, three_point_scores = stream(state, fresh_timestamps, three_points)
    assert np.flatnonzero(three_point_scores >= ALERT).tolist() == [night + 2]


def test_the_offline_corpus_score_holds() -> None:
    corpus = load_corpus(require_nab())
    results = evaluate_detector(score_corpus(corpus), corpus)
    assert results["standard"].normalised >= MIN_STANDARD_SCORE
