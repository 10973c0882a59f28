"""The streaming kinds' parameters: named, validated, every one recorded with its default filled in."""

import json
from typing import Any

import numpy as np
import pytest

from anomaly.domain.detection import Threshold
from anomaly.domain.errors import InvalidInput
from anomaly.domain.kinds.streaming.model import ROBUST, SEASONAL, StreamingKind
from anomaly.domain.time_series import BatchLimits, TimeSeries

START = 1_704_067_200
ROBUST_DEFAULTS = {"half_life": 1000.0, "alert": 0.8, "refractory": 20}
SEASONAL_DEFAULTS = {**ROBUST_DEFAULTS, "period": "auto", "season_half_life": 20.0}


def series(count: int = 300, step: int = 300) -> TimeSeries:
    seconds = START + step * np.arange(count, dtype=np.int64)
    values = 50.0 - 40.0 * np.cos(2 * np.pi * (seconds % 86_400) / 86_400)
    values += np.random.default_rng(0).normal(0.0, 1.0, count)
    return TimeSeries.parse(seconds, values, BatchLimits(min_points=1, max_points=count))


SERIES = series()

BAD_COMMON: list[tuple[str, object, str]] = [
    ("half_life", 0, "above 0"),
    ("half_life", -5.0, "above 0"),
    ("half_life", 1e13, "at most 1e+12"),
    ("half_life", float("nan"), "finite"),
    ("half_life", float("inf"), "finite"),
    ("half_life", 10**400, "number"),
    ("half_life", True, "number"),
    ("half_life", "1000", "number"),
    ("half_life", None, "number"),
    ("half_life", [1000], "number"),
    ("alert", 0, "above 0 and at most 1"),
    ("alert", 1.01, "above 0 and at most 1"),
    ("alert", -0.5, "above 0 and at most 1"),
    ("alert", False, "number"),
    ("alert", "0.8", "number"),
    ("refractory", -1, "from 0 to 100000"),
    ("refractory", 100_001, "from 0 to 100000"),
    ("refractory", 2.5, "whole number"),
    ("refractory", True, "whole number"),
    ("refractory", "20", "whole number"),
    ("refractory", float("inf"), "whole number"),
]
BAD_SEASONAL: list[tuple[str, object, str]] = [
    ("period", "month", '"auto", "day" or "week"'),
    ("period", None, '"auto", "day" or "week"'),
    ("period", 86_400, '"auto", "day" or "week"'),
    ("period", "Day", '"auto", "day" or "week"'),
    ("season_half_life", 0, "visits above 0"),
    ("season_half_life", True, "number"),
    ("season_half_life", 1e300, "at most"),
]


@pytest.mark.parametrize(
    ("kind", "name", "value", "reason"),
    [(ROBUST, *case) for case in BAD_COMMON]
    + [(SEASONAL, *case) for case in BAD_COMMON]
    + [(SEASONAL, *case) for case in BAD_SEASONAL],
)
def test_a_bad_parameter_is_rejected_naming_it_and_its_rule(
    kind: StreamingKind, name: str, value: object, reason: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        kind.fit(SERIES, {name: value})
    assert raised.value.field == f"parameters.{name}"
    assert reason in raised.value.reason


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        (ROBUST, "period"),
        (ROBUST, "season_half_life"),
        (SEASONAL, "window"),
        (ROBUST, "huber"),
        (SEASONAL, ""),
    ],
)
def test_an_unknown_parameter_is_rejected_with_the_kinds_parameters_listed(
    kind: StreamingKind, name: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        kind.fit(SERIES, {"half_life": 10, name: 1})
    assert raised.value.field == f"parameters.{name}"
    assert f"not a parameter of the {kind.name} kind" in raised.value.reason
    assert "half_life, alert, refractory" in raised.value.reason


def test_the_parameters_are_spelt_out_with_their_defaults() -> None:
    assert ROBUST.fit(SERIES, {}).parameters == ROBUST_DEFAULTS
    assert SEASONAL.fit(SERIES, {}).parameters == SEASONAL_DEFAULTS
    assert ROBUST.fit(SERIES, {}).kind == "robust"
    assert SEASONAL.fit(SERIES, {}).kind == "seasonal"
    assert (ROBUST.name, SEASONAL.name) == ("robust", "seasonal")


def test_given_parameters_are_recorded_as_json_and_restore_takes_them_back() -> None:
    given = {"half_life": 300, "alert": 0.9, "refractory": 5.0, "period": "day", "season_half_life": 10}
    model = SEASONAL.fit(SERIES, given)
    assert model.parameters == {
        "half_life": 300.0,
        "alert": 0.9,
        "refractory": 5,
        "period": "day",
        "season_half_life": 10.0,
    }
    stored: dict[str, Any] = json.loads(json.dumps(model.parameters, allow_nan=False))
    restored = SEASONAL.restore(stored, json.loads(json.dumps(model.state())))
    assert restored.parameters == model.parameters
    assert restored.state() == model.state()
    assert ROBUST.fit(SERIES, {"refractory": 0}).parameters["refractory"] == 0
    assert ROBUST.fit(SERIES, {"alert": 1}).parameters["alert"] == 1.0


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"half_life": None}, KeyError),  # the key removed
        ({"half_life": 0}, ValueError),
        ({"alert": "high"}, ValueError),
        ({"extra": 1}, ValueError),
    ],
)
def test_restore_rejects_parameters_that_a_fit_would_not_have_recorded(
    change: dict[str, object], error: type[Exception]
) -> None:
    model = SEASONAL.fit(SERIES, {})
    parameters = {**model.parameters, **change}
    if change.get("half_life", 1) is None:
        del parameters["half_life"]
    with pytest.raises(error):
        SEASONAL.restore(parameters, model.state())


def test_period_forces_a_season_or_leaves_the_choice_to_the_data() -> None:
    # Less than 1.5 days of data: too little to detect a daily period, not too little to use one.
    assert SEASONAL.fit(SERIES, {}).describe()["period"] is None
    assert SEASONAL.fit(SERIES, {"period": "day"}).describe()["period"] == "day"
    weekly = SEASONAL.fit(SERIES, {"period": "week"}).describe()
    assert weekly["period"] == "week"
    assert len(weekly["bucket_levels"]) == 168
    assert SEASONAL.fit(series(4 * 288), {}).describe()["period"] == "day"
    assert ROBUST.fit(series(4 * 288), {}).describe()["period"] is None


def test_the_half_lives_set_how_fast_the_model_forgets() -> None:
    seconds = START + 300 * np.arange(SERIES.values.size, 2 * SERIES.values.size, dtype=np.int64)
    shifted = SERIES.values + 100.0
    slow = ROBUST.fit(SERIES, {}).updated(seconds, shifted).summary().mean
    fast = ROBUST.fit(SERIES, {"half_life": 10}).updated(seconds, shifted).summary().mean
    assert slow < fast
    day_seconds = series(2 * 288).timestamps
    slow_season = SEASONAL.fit(SERIES, {"period": "day", "season_half_life": 1000})
    fast_season = SEASONAL.fit(SERIES, {"period": "day", "season_half_life": 1})
    later = day_seconds[-288:]
    plus = np.full(288, 500.0)
    assert (
        slow_season.updated(later, plus).band(later[:1], Threshold()).expected[0]
        < fast_season.updated(later, plus).band(later[:1], Threshold()).expected[0]
    )
