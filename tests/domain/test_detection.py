"""The gaussian detection rule: strict `value > mean + k * std` by default, finite bounds and scores for
any model."""

import math
import warnings
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anomaly.domain.detection import DEFAULT_K, MAX_K, Direction, Threshold
from anomaly.domain.errors import InvalidInput
from anomaly.domain.kinds.gaussian.model import GaussianModel
from anomaly.domain.kinds.gaussian.state import GaussianState
from anomaly.domain.model_kind import Judgement, PointJudgement

MAX_FLOAT = float(np.finfo(np.float64).max)


def model(mean: float, std: float) -> GaussianModel:
    return GaussianModel(
        GaussianState(
            mean=mean,
            std=std,
            points_used=10,
            minimum=mean - std,
            maximum=mean + std,
            first_timestamp=1,
            last_timestamp=10,
            weight=10.0,
        ),
        half_life=None,
    )


class Limits(NamedTuple):
    lower: float
    upper: float


def judge(state: GaussianModel, value: float, threshold: Threshold) -> PointJudgement:
    return state.judge_point(5, value, threshold)


def band(state: GaussianModel, threshold: Threshold) -> Limits:
    """The band a point is judged against (the same at any time for a gaussian model)."""
    point = state.judge_point(5, state.summary().mean, threshold)
    return Limits(point.lower, point.upper)


def judge_many(state: GaussianModel, values: npt.NDArray[np.float64], threshold: Threshold) -> Judgement:
    return state.judge(np.arange(values.shape[0], dtype=np.int64), values, threshold)


# mean 10, std 2: with k = 3 the band is exactly [4, 16].
TEN_TWO = model(10.0, 2.0)


def test_the_default_threshold_is_the_seed_rule_three_sigma_upwards() -> None:
    threshold = Threshold()

    assert threshold.k == DEFAULT_K == 3.0
    assert threshold.direction is None  # the kind's default: upwards for a gaussian model
    assert threshold.alert is None
    up = Threshold(direction=Direction.UP)
    for value in [-1e9, 3.0, 4.0, 10.0, 16.0, math.nextafter(16.0, math.inf), 1e9]:
        assert judge(TEN_TWO, value, threshold) == judge(TEN_TWO, value, up)
    assert judge(TEN_TWO, -1e9, threshold).anomaly is False
    assert judge(TEN_TWO, 1e9, threshold).anomaly is True


def test_a_value_exactly_on_the_upper_bound_is_normal_and_just_above_is_an_anomaly() -> None:
    on_bound = judge(TEN_TWO, 16.0, Threshold())
    above = judge(TEN_TWO, math.nextafter(16.0, math.inf), Threshold())

    assert on_bound.anomaly is False
    assert on_bound.score == 3.0
    assert above.anomaly is True
    assert above.score is not None
    assert above.score > 3.0


def test_upwards_ignores_values_far_below_the_mean() -> None:
    verdict = judge(TEN_TWO, -1000.0, Threshold(direction=Direction.UP))

    assert verdict.anomaly is False
    assert verdict.score == pytest.approx(-505.0)


def test_downwards_flags_only_values_strictly_below_the_lower_bound() -> None:
    down = Threshold(direction=Direction.DOWN)

    assert judge(TEN_TWO, 4.0, down).anomaly is False
    assert judge(TEN_TWO, math.nextafter(4.0, -math.inf), down).anomaly is True
    assert judge(TEN_TWO, 1000.0, down).anomaly is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [(16.0, False), (16.5, True), (4.0, False), (3.5, True), (10.0, False), (-1e9, True), (1e9, True)],
)
def test_both_directions_flag_either_side(value: float, expected: bool) -> None:
    assert judge(TEN_TWO, value, Threshold(direction=Direction.BOTH)).anomaly is expected


@pytest.mark.parametrize("direction", list(Direction))
@pytest.mark.parametrize(("k", "lower", "upper"), [(3.0, 4.0, 16.0), (2.0, 6.0, 14.0), (0.5, 9.0, 11.0)])
def test_the_band_is_mean_plus_or_minus_k_std_whatever_the_direction(
    direction: Direction, k: float, lower: float, upper: float
) -> None:
    limits = band(TEN_TWO, Threshold(k=k, direction=direction))

    assert (limits.lower, limits.upper) == (lower, upper)


@pytest.mark.parametrize(("value", "score"), [(10.0, 0.0), (13.0, 1.5), (7.0, -1.5), (0.0, -5.0)])
def test_score_is_the_z_score_and_negative_below_the_mean(value: float, score: float) -> None:
    assert judge(TEN_TWO, value, Threshold()).score == score


def test_k_zero_flags_anything_above_the_mean() -> None:
    threshold = Threshold(k=0.0)

    assert judge(TEN_TWO, 10.0, threshold).anomaly is False
    assert judge(TEN_TWO, math.nextafter(10.0, math.inf), threshold).anomaly is True
    assert judge(TEN_TWO, 9.0, threshold).anomaly is False
    assert band(TEN_TWO, threshold) == band(TEN_TWO, Threshold(k=0.0, direction=Direction.BOTH))


def test_the_largest_k_is_accepted() -> None:
    assert Threshold(k=MAX_K).k == 1e6


@pytest.mark.parametrize("k", [-1.0, -1e-300, math.nan, math.inf, -math.inf, 1e6 + 1, 1e7])
def test_a_k_outside_zero_to_a_million_is_refused_naming_k(k: float) -> None:
    with pytest.raises(InvalidInput) as raised:
        Threshold(k=k)

    assert raised.value.field == "k"


CONSTANT = model(5.0, 0.0)


@pytest.mark.parametrize("direction", list(Direction))
def test_a_constant_model_finds_its_mean_normal_with_score_zero(direction: Direction) -> None:
    verdict = judge(CONSTANT, 5.0, Threshold(direction=direction))

    assert verdict.anomaly is False
    assert verdict.score == 0.0


@pytest.mark.parametrize(
    ("direction", "above", "below"),
    [(Direction.UP, True, False), (Direction.DOWN, False, True), (Direction.BOTH, True, True)],
)
def test_a_constant_model_flags_any_other_value_on_the_tested_side_with_no_score(
    direction: Direction, above: bool, below: bool
) -> None:
    threshold = Threshold(direction=direction)

    high = judge(CONSTANT, math.nextafter(5.0, math.inf), threshold)
    low = judge(CONSTANT, 4.0, threshold)

    assert (high.anomaly, high.score) == (above, None)
    assert (low.anomaly, low.score) == (below, None)


@pytest.mark.parametrize("k", [0.0, 3.0, MAX_K])
def test_a_constant_models_band_is_the_mean_itself(k: float) -> None:
    limits = band(CONSTANT, Threshold(k=k))

    assert limits.lower == limits.upper == 5.0


HUGE_CASES = [
    # model mean, model std, k, direction, value, anomaly, score
    (1e308, 1e308, 3.0, Direction.BOTH, -1e308, False, -2.0),
    (1e308, 1e308, 3.0, Direction.BOTH, MAX_FLOAT, False, MAX_FLOAT / 1e308 - 1.0),
    (1e308, 1e308, 3.0, Direction.DOWN, -MAX_FLOAT, False, -MAX_FLOAT / 1e308 - 1.0),
    (1e308, 1e308, 0.5, Direction.UP, 1.6e308, True, 0.6),
    (1e308, 1e308, 0.5, Direction.DOWN, 4e307, True, -0.6),
    (-1e308, 1e308, 3.0, Direction.BOTH, 1e308, False, 2.0),
    (-1e308, 1e308, 3.0, Direction.BOTH, -MAX_FLOAT, False, -MAX_FLOAT / 1e308 + 1.0),
    (-1e308, 1e308, 0.5, Direction.DOWN, -1.6e308, True, -0.6),
    (-1e308, 1e308, 0.5, Direction.UP, -4e307, True, 0.6),
    (-1e308, 1e-308, 3.0, Direction.UP, 1e308, True, None),
    (1e308, 0.0, 3.0, Direction.DOWN, -1e308, True, None),
    (MAX_FLOAT, 0.0, MAX_K, Direction.BOTH, MAX_FLOAT, False, 0.0),
]


@pytest.mark.parametrize(("mean", "std", "k", "direction", "value", "anomaly", "score"), HUGE_CASES)
def test_huge_models_and_values_give_finite_bounds_and_the_unclipped_decision(
    mean: float,
    std: float,
    k: float,
    direction: Direction,
    value: float,
    anomaly: bool,
    score: float | None,
) -> None:
    state = model(mean, std)
    threshold = Threshold(k=k, direction=direction)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        verdict = judge(state, value, threshold)
        limits = band(state, threshold)

    assert verdict.anomaly is anomaly
    if score is None:
        assert verdict.score is None
    else:
        assert verdict.score == pytest.approx(score, rel=1e-12)
    assert math.isfinite(limits.lower)
    assert math.isfinite(limits.upper)
    assert -MAX_FLOAT <= limits.lower <= limits.upper <= MAX_FLOAT


def test_bounds_beyond_float64_are_clipped_to_the_largest_float() -> None:
    limits = band(model(1e308, 1e308), Threshold(k=3.0))

    assert limits.lower == -MAX_FLOAT
    assert limits.upper == MAX_FLOAT


def test_bounds_that_fit_in_float64_are_exact_even_for_huge_models() -> None:
    limits = band(model(-1e308, 1e308), Threshold(k=0.5))

    assert limits.lower == pytest.approx(-1.5e308, rel=1e-15)
    assert limits.upper == pytest.approx(-0.5e308, rel=1e-15)


def test_a_huge_batch_is_judged_without_warnings_and_agrees_with_single_judgements() -> None:
    state = model(1e308, 1e308)
    threshold = Threshold(k=0.5, direction=Direction.BOTH)
    values = np.array([-MAX_FLOAT, -1e308, 0.0, 4e307, 1e308, 1.6e308, MAX_FLOAT])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        verdicts = judge_many(state, values, threshold)

    assert verdicts.anomaly.tolist() == [True, True, True, True, False, True, True]
    assert np.isfinite(verdicts.score).all()
    assert verdicts.score[1] == pytest.approx(-2.0)
    for index, value in enumerate(values.tolist()):
        assert judge(state, value, threshold).score == verdicts.score[index]


@pytest.mark.parametrize(
    ("value", "direction", "anomaly", "score"),
    [
        (-79.0, Direction.UP, True, 2.1),
        (-80.0, Direction.UP, False, 2.0),
        (-121.0, Direction.UP, False, -2.1),
        (-121.0, Direction.DOWN, True, -2.1),
        (-120.0, Direction.DOWN, False, -2.0),
        (-100.0, Direction.BOTH, False, 0.0),
        (-79.0, Direction.BOTH, True, 2.1),
        (-121.0, Direction.BOTH, True, -2.1),
    ],
)
def test_negative_means_and_values_follow_the_same_rule(
    value: float, direction: Direction, anomaly: bool, score: float
) -> None:
    state = model(-100.0, 10.0)
    threshold = Threshold(k=2.0, direction=direction)

    verdict = judge(state, value, threshold)

    assert band(state, threshold).lower == -120.0
    assert band(state, threshold).upper == -80.0
    assert verdict.anomaly is anomaly
    assert verdict.score == pytest.approx(score)


moderate = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
spreads = st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=1e6, allow_nan=False))
thresholds = st.builds(
    Threshold,
    k=st.one_of(st.just(0.0), st.just(DEFAULT_K), st.floats(min_value=0.0, max_value=100.0)),
    direction=st.one_of(st.none(), st.sampled_from(Direction)),
)


@settings(deadline=None)
@given(mean=moderate, std=spreads, values=st.lists(moderate, max_size=40), threshold=thresholds)
def test_a_batch_gets_the_verdicts_its_points_get_one_by_one(
    mean: float, std: float, values: list[float], threshold: Threshold
) -> None:
    state = model(mean, std)
    array = np.asarray(values, dtype=np.float64)

    verdicts = judge_many(state, array, threshold)
    singles = [judge(state, value, threshold) for value in values]

    assert verdicts.anomaly.shape == verdicts.score.shape == (len(values),)
    assert verdicts.anomaly.tolist() == [single.anomaly for single in singles]
    assert np.isnan(verdicts.score).tolist() == [single.score is None for single in singles]
    for score, single in zip(verdicts.score.tolist(), singles, strict=True):
        if single.score is not None:
            assert score == single.score
    assert verdicts.flagged == sum(single.anomaly for single in singles)


@settings(deadline=None)
@given(mean=moderate, std=spreads, values=st.lists(moderate, max_size=40), threshold=thresholds)
def test_a_batch_follows_the_formula(
    mean: float, std: float, values: list[float], threshold: Threshold
) -> None:
    state = model(mean, std)

    verdicts = judge_many(state, np.asarray(values, dtype=np.float64), threshold)

    upper = mean + threshold.k * std
    lower = mean - threshold.k * std
    expected = {
        Direction.UP: [value > upper for value in values],
        Direction.DOWN: [value < lower for value in values],
        Direction.BOTH: [value > upper or value < lower for value in values],
    }[threshold.direction or Direction.UP]
    assert verdicts.anomaly.tolist() == expected
    assert verdicts.flagged == sum(expected)
    for value, score in zip(values, verdicts.score.tolist(), strict=True):
        if std > 0:
            exact = (value - mean) / std
            # A tiny std can make the z-score exceed float64: it is then undefined, like std 0's.
            if math.isfinite(exact):
                assert score == exact
            else:
                assert math.isnan(score)
        elif value == mean:
            assert score == 0.0
        else:
            assert math.isnan(score)
