"""The `gaussian` kind through the model-kind seam: its parameters, its updates, its verdicts and
its artifact, as every use case and adapter sees them."""

import itertools
import json
import math
import statistics
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from anomaly.domain.detection import DEFAULT_K, Direction, Threshold
from anomaly.domain.errors import InvalidInput
from anomaly.domain.kinds import DEFAULT_KIND, KINDS, kind_named
from anomaly.domain.kinds.gaussian.model import GAUSSIAN, GaussianModel
from anomaly.domain.kinds.gaussian.state import GaussianState
from anomaly.domain.kinds.stored import MAX_HALF_LIFE
from anomaly.domain.model_format import decode_model, encode_model
from anomaly.domain.model_kind import Model, ModelSummary
from anomaly.domain.time_series import BatchLimits, TimeSeries
from tests.domain.test_detection import model as gaussian_model

LIMITS = BatchLimits(min_points=1, max_points=100_000)
MAX_FLOAT = float(np.finfo(np.float64).max)
START = 1_700_000_000


def series(values: list[float], start: int = START) -> TimeSeries:
    return TimeSeries.parse(list(range(start, start + len(values))), values, LIMITS)


def fitted(values: list[float], half_life: float | None = None, start: int = START) -> GaussianModel:
    model = GAUSSIAN.fit(series(values, start), {"half_life": half_life})
    assert isinstance(model, GaussianModel)
    return model


def updated(model: Model, values: list[float], start: int) -> GaussianModel:
    stamps = np.arange(start, start + len(values), dtype=np.int64)
    result = model.updated(stamps, np.asarray(values, dtype=np.float64))
    assert isinstance(result, GaussianModel)
    return result


def constant(mean: float) -> GaussianModel:
    return GaussianModel(
        GaussianState(
            mean=mean,
            std=0.0,
            points_used=5,
            minimum=mean,
            maximum=mean,
            first_timestamp=1,
            last_timestamp=5,
            weight=5.0,
        ),
        half_life=None,
    )


# --- the registry -------------------------------------------------------------------------------


def test_gaussian_is_the_default_kind_and_is_registered_by_name() -> None:
    assert DEFAULT_KIND == GAUSSIAN.name == "gaussian"
    assert KINDS["gaussian"] is GAUSSIAN
    assert kind_named("gaussian") is GAUSSIAN


@pytest.mark.parametrize("name", ["Gaussian", "normal", "", "gaussian "])
def test_an_unknown_kind_is_invalid_input_naming_kind(name: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        kind_named(name)

    assert raised.value.field == "kind"
    assert "gaussian" in raised.value.reason


# --- parameters ---------------------------------------------------------------------------------


@pytest.mark.parametrize("parameters", [{}, {"half_life": None}])
def test_no_half_life_is_the_default_and_is_spelt_out(parameters: dict[str, object]) -> None:
    model = GAUSSIAN.fit(series([1.0, 2.0, 3.0]), parameters)

    assert model.kind == "gaussian"
    assert model.parameters == {"half_life": None}


@pytest.mark.parametrize("half_life", [1, 0.5, 5e-324, 24.0, 1_000_000, MAX_HALF_LIFE])
def test_a_half_life_above_zero_is_accepted_as_a_float(half_life: float) -> None:
    model = GAUSSIAN.fit(series([1.0, 2.0, 3.0]), {"half_life": half_life})

    assert model.parameters == {"half_life": float(half_life)}
    assert type(model.parameters["half_life"]) is float


@pytest.mark.parametrize(
    "half_life",
    [
        0,
        0.0,
        -0.0,
        -1,
        -1e-300,
        MAX_HALF_LIFE * 10,
        math.inf,
        -math.inf,
        math.nan,
        True,
        False,
        "10",
        [1],
        {},
    ],
)
def test_a_half_life_that_is_not_null_or_a_number_above_zero_is_refused(half_life: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        GAUSSIAN.fit(series([1.0, 2.0, 3.0]), {"half_life": half_life})

    assert raised.value.field == "parameters.half_life"


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"period": 24}, "parameters.period"),
        ({"halfLife": 10}, "parameters.halfLife"),
        ({"half_life": 10, "alpha": 0.5}, "parameters.alpha"),
        ({"half_life": None, "k": 3}, "parameters.k"),
        ({"": 1}, "parameters."),
    ],
)
def test_an_unknown_parameter_is_refused_naming_it(parameters: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        GAUSSIAN.fit(series([1.0, 2.0, 3.0]), parameters)

    assert raised.value.field == field
    assert "half_life" in raised.value.reason  # says what the kind does take


def test_restoring_validates_parameters_as_a_fit_does() -> None:
    state = fitted([1.0, 2.0, 3.0]).state()

    assert GAUSSIAN.restore({"half_life": 8}, state).parameters == {"half_life": 8.0}
    with pytest.raises(InvalidInput):
        GAUSSIAN.restore({"half_life": -8}, state)
    with pytest.raises(InvalidInput):
        GAUSSIAN.restore({"window": 8}, state)


# --- what a version shows of it -----------------------------------------------------------------


def test_the_summary_and_description_are_the_seed_models_fields() -> None:
    model = fitted([3.0, -1.5, 8.25, 0.0], start=10)
    values = [3.0, -1.5, 8.25, 0.0]

    summary = model.summary()
    assert summary == ModelSummary(
        points_used=4,
        first_timestamp=10,
        last_timestamp=13,
        minimum=-1.5,
        maximum=8.25,
        mean=model.statistics.mean,
        std=model.statistics.std,
    )
    assert summary.mean == pytest.approx(statistics.fmean(values), rel=1e-15)
    assert summary.std == pytest.approx(statistics.pstdev(values), rel=1e-12)
    assert model.describe() == {
        "mean": summary.mean,
        "std": summary.std,
        "points_used": 4,
        "minimum": -1.5,
        "maximum": 8.25,
        "first_timestamp": 10,
        "last_timestamp": 13,
    }
    assert model.state() == {**model.describe(), "weight": 4.0}


# --- updates ------------------------------------------------------------------------------------


def test_an_update_without_a_half_life_is_a_fit_on_all_the_points() -> None:
    first, second = [1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0, 9.0, 10.0]

    model = updated(fitted(first), second, START + 4)
    whole = fitted(first + second)

    assert model.statistics.mean == pytest.approx(5.5, rel=1e-15)
    assert model.statistics.std == pytest.approx(math.sqrt(8.25), rel=1e-12)
    assert model.statistics.mean == pytest.approx(whole.statistics.mean, rel=1e-12)
    assert model.statistics.std == pytest.approx(whole.statistics.std, rel=1e-12)
    assert model.statistics.points_used == 10
    assert (model.statistics.first_timestamp, model.statistics.last_timestamp) == (START, START + 9)
    assert (model.statistics.minimum, model.statistics.maximum) == (1.0, 10.0)
    assert model.statistics.weight == 10.0
    assert model.parameters == {"half_life": None}


moderate = st.one_of(
    st.just(0.0), st.floats(min_value=1e-100, max_value=1e6), st.floats(min_value=-1e6, max_value=-1e-100)
)


@settings(deadline=None)
@given(
    first=st.lists(moderate, min_size=1, max_size=40),
    second=st.lists(moderate, min_size=1, max_size=40),
    offset=st.integers(min_value=-1000, max_value=1000),
)
def test_any_update_without_a_half_life_matches_a_fit_on_the_concatenated_data(
    first: list[float], second: list[float], offset: int
) -> None:
    model = updated(fitted(first), second, START + offset)  # the new points may step back in time
    state = model.statistics
    everything = first + second

    scale = max(abs(value) for value in everything)
    assert math.isclose(state.mean, statistics.fmean(everything), rel_tol=1e-12, abs_tol=1e-12 * scale)
    assert math.isclose(state.std, statistics.pstdev(everything), rel_tol=1e-12, abs_tol=1e-12 * scale)
    assert state.points_used == len(first) + len(second)
    assert state.weight == len(first) + len(second)
    assert state.first_timestamp == min(START, START + offset)
    assert state.last_timestamp == max(START + len(first) - 1, START + offset + len(second) - 1)
    assert (state.minimum, state.maximum) == (min(everything), max(everything))
    assert min(everything) <= state.mean <= max(everything)


def test_many_small_updates_add_up_to_one_fit() -> None:
    rng = np.random.default_rng(11)
    values = rng.normal(50.0, 7.0, 1_000).tolist()
    model = fitted(values[:10])
    for start in range(10, 1_000, 33):
        model = updated(model, values[start : start + 33], START + start)

    whole = fitted(values)
    assert model.statistics.points_used == 1_000
    assert model.statistics.mean == pytest.approx(whole.statistics.mean, rel=1e-12)
    assert model.statistics.std == pytest.approx(whole.statistics.std, rel=1e-12)
    assert (model.statistics.first_timestamp, model.statistics.last_timestamp) == (START, START + 999)


def test_an_update_leaves_the_model_it_started_from_unchanged() -> None:
    model = fitted([1.0, 2.0, 3.0])
    before = model.state()

    newer = updated(model, [100.0, 200.0], START + 3)

    assert model.state() == before
    assert newer.state() != before


def test_an_update_with_no_points_changes_nothing() -> None:
    model = fitted([1.0, 2.0, 3.0], half_life=2.0)

    same = model.updated(np.array([], dtype=np.int64), np.array([], dtype=np.float64))

    assert same.state() == model.state()
    assert same.parameters == model.parameters


def test_a_constant_model_updated_with_the_same_value_stays_constant() -> None:
    model = updated(fitted([0.1] * 7), [0.1] * 3, START + 7)

    assert (model.statistics.mean, model.statistics.std) == (0.1, 0.0)


def test_with_a_half_life_a_level_shift_moves_the_mean_toward_the_new_level() -> None:
    old = [-1.0, 1.0] * 50  # level 0
    new = [9.0, 11.0] * 50  # level 10

    remembering = updated(fitted(old), new, START + 100)
    forgetting = updated(fitted(old, half_life=10.0), new, START + 100)
    slowly = updated(fitted(old, half_life=200.0), new, START + 100)

    assert remembering.statistics.mean == pytest.approx(5.0)
    # 100 new points are ten half-lives: the past weighs 100 / 1024 of a fresh batch's 100 points.
    assert forgetting.statistics.mean == pytest.approx(10.0 * 100 / (100 + 100 / 1024), rel=1e-12)
    assert 5.0 < slowly.statistics.mean < forgetting.statistics.mean < 10.0
    assert forgetting.statistics.weight == pytest.approx(100 + 100 / 1024)
    # Every point still counts as learnt, and the parameters go with the model.
    assert forgetting.statistics.points_used == 200
    assert forgetting.parameters == {"half_life": 10.0}
    # The new level has become normal for the forgetting model, not for the remembering one.
    point = forgetting.judge_point(START + 200, 10.0, Threshold())
    assert point.anomaly is False
    assert point.expected == forgetting.statistics.mean
    assert abs(point.expected - 10.0) < abs(
        remembering.judge_point(START + 200, 10.0, Threshold()).expected - 10.0
    )


def test_with_a_half_life_repeated_updates_follow_a_shift() -> None:
    model = fitted([0.0, 1.0] * 20, half_life=5.0)
    means = []
    for round_ in range(6):
        model = updated(model, [20.0, 21.0] * 5, START + 40 + 10 * round_)
        means.append(model.statistics.mean)

    assert means == sorted(means)
    # Each update of ten points is two half-lives: the past keeps a quarter of its weight.
    old_weight = 40 * 0.25**6
    weight = old_weight + 10 * sum(0.25**round_ for round_ in range(6))
    assert model.statistics.weight == pytest.approx(weight, rel=1e-12)
    assert means[-1] == pytest.approx(20.5 - 20.0 * old_weight / weight, rel=1e-12)
    assert means[-1] > 20.48
    assert model.statistics.points_used == 100


# --- verdicts -----------------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
stds = st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=1e6))
thresholds = st.builds(
    Threshold,
    k=st.one_of(st.just(0.0), st.just(DEFAULT_K), st.floats(min_value=0.0, max_value=100.0)),
    direction=st.one_of(st.none(), st.sampled_from(Direction)),
    alert=st.one_of(st.none(), st.floats(min_value=0.01, max_value=1.0)),
)


@settings(deadline=None)
@given(mean=finite, std=stds, values=st.lists(finite, min_size=1, max_size=20), threshold=thresholds)
def test_judging_one_point_is_judging_a_batch_of_it(
    mean: float, std: float, values: list[float], threshold: Threshold
) -> None:
    model = gaussian_model(mean, std)
    values = [*values, mean]  # the mean itself: a constant model's only normal value
    array = np.asarray(values, dtype=np.float64)

    judgement = model.judge(np.arange(START, START + len(values), dtype=np.int64), array, threshold)

    for index, value in enumerate(values):
        point = model.judge_point(START + index, value, threshold)
        assert point.expected == judgement.expected[index]
        assert point.lower == judgement.lower[index]
        assert point.upper == judgement.upper[index]
        if point.score is None:
            assert math.isnan(judgement.score[index])
        else:
            assert point.score == judgement.score[index]
        assert point.anomaly_score == judgement.anomaly_score[index]
        assert point.anomaly is bool(judgement.anomaly[index])
        assert type(point.anomaly) is bool
    assert judgement.flagged == sum(model.judge_point(0, value, threshold).anomaly for value in values)


@settings(deadline=None)
@given(
    mean=finite,
    std=stds,
    times=st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=10),
    threshold=thresholds,
)
def test_the_band_is_the_same_at_every_time_and_is_what_judge_draws(
    mean: float, std: float, times: list[int], threshold: Threshold
) -> None:
    model = gaussian_model(mean, std)
    stamps = np.asarray(times, dtype=np.int64)

    band = model.band(stamps, threshold)
    judgement = model.judge(stamps, np.full(len(times), mean), threshold)

    lower, upper = model.summary().band(threshold.k)
    assert band.expected.tolist() == judgement.expected.tolist() == [mean] * len(times)
    assert band.lower.tolist() == judgement.lower.tolist() == [lower] * len(times)
    assert band.upper.tolist() == judgement.upper.tolist() == [upper] * len(times)


@pytest.mark.parametrize("alert", [0.01, 0.5, 0.9, 1.0])
def test_a_gaussian_model_flags_on_its_band_whatever_the_alert(alert: float) -> None:
    model = gaussian_model(10.0, 2.0)
    for value in [3.9, 4.0, 10.0, 16.0, 16.1]:
        for direction in [None, *Direction]:
            assert model.judge_point(
                1, value, Threshold(direction=direction, alert=alert)
            ) == model.judge_point(1, value, Threshold(direction=direction))


@pytest.mark.parametrize(
    ("value", "expected"), [(10.0, 0.0), (16.0, 0.5), (4.0, 0.5), (13.0, 1 / 3), (40.0, 15 / 18)]
)
def test_the_anomaly_score_is_distance_over_distance_plus_three(value: float, expected: float) -> None:
    # mean 10, std 2: z = (value - 10) / 2, anomaly score |z| / (|z| + 3).
    point = gaussian_model(10.0, 2.0).judge_point(1, value, Threshold())
    assert point.anomaly_score == pytest.approx(expected)


@settings(deadline=None)
@given(mean=finite, std=stds, values=st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=30))
def test_the_anomaly_score_is_in_zero_to_one_never_nan_and_monotone_in_the_distance(
    mean: float, std: float, values: list[float]
) -> None:
    model = gaussian_model(mean, std)
    array = np.asarray([*values, mean], dtype=np.float64)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        judgement = model.judge(np.zeros(array.shape[0], dtype=np.int64), array, Threshold())
        points = [model.judge_point(0, value, Threshold()) for value in array.tolist()]

    scores = judgement.anomaly_score
    assert not np.isnan(scores).any()
    assert ((scores >= 0.0) & (scores <= 1.0)).all()
    assert [point.anomaly_score for point in points] == scores.tolist()
    assert scores[-1] == 0.0  # the mean itself
    # Further from the mean (in exact arithmetic) is never less anomalous.
    distance = [abs(value - mean) for value in array.tolist()]
    order = sorted(range(array.shape[0]), key=lambda index: distance[index])
    ranked = [float(scores[index]) for index in order]
    for nearer, further in itertools.pairwise(ranked):
        assert further >= nearer - 1e-15


@settings(deadline=None)
@given(mean=finite, std=st.floats(min_value=1e-3, max_value=1e3), a=finite, b=finite)
def test_a_point_further_from_the_mean_scores_higher(mean: float, std: float, a: float, b: float) -> None:
    model = gaussian_model(mean, std)
    assume(abs(abs(a - mean) - abs(b - mean)) > 1e-6 * (abs(mean) + std))
    nearer, further = sorted([a, b], key=lambda value: abs(value - mean))

    assert (
        model.judge_point(0, nearer, Threshold()).anomaly_score
        < model.judge_point(0, further, Threshold()).anomaly_score
    )


def test_the_anomaly_score_is_symmetric_about_the_mean() -> None:
    model = gaussian_model(10.0, 2.0)
    for distance in [0.5, 3.0, 6.0, 1e6]:
        above = model.judge_point(0, 10.0 + distance, Threshold()).anomaly_score
        below = model.judge_point(0, 10.0 - distance, Threshold()).anomaly_score
        assert above == below


@pytest.mark.parametrize("direction", [None, *Direction])
def test_a_constant_model_scores_zero_on_its_mean_and_one_anywhere_else(direction: Direction | None) -> None:
    model = constant(5.0)
    values = [5.0, math.nextafter(5.0, math.inf), 4.0, -MAX_FLOAT, MAX_FLOAT]
    threshold = Threshold(direction=direction)

    judgement = model.judge(np.zeros(len(values), dtype=np.int64), np.array(values), threshold)

    assert judgement.anomaly_score.tolist() == [0.0, 1.0, 1.0, 1.0, 1.0]
    assert [model.judge_point(0, value, threshold).anomaly_score for value in values] == [
        0.0,
        1.0,
        1.0,
        1.0,
        1.0,
    ]
    assert np.isnan(judgement.score[1:]).all()
    assert judgement.score[0] == 0.0


def test_a_score_beyond_float64_has_the_highest_anomaly_score() -> None:
    model = gaussian_model(0.0, 1e-300)

    point = model.judge_point(0, 1e300, Threshold())

    assert point.score is None
    assert point.anomaly_score == 1.0
    assert point.anomaly is True


# --- the artifact -------------------------------------------------------------------------------


states = st.builds(
    GaussianState,
    mean=st.floats(allow_nan=False, allow_infinity=False),
    std=st.floats(min_value=0.0, allow_infinity=False),
    points_used=st.integers(min_value=1, max_value=2**53),
    minimum=st.floats(allow_nan=False, allow_infinity=False),
    maximum=st.floats(allow_nan=False, allow_infinity=False),
    first_timestamp=st.integers(min_value=0, max_value=2**63 - 1),
    last_timestamp=st.integers(min_value=0, max_value=2**63 - 1),
    weight=st.floats(min_value=0.0, exclude_min=True, allow_infinity=False),
)


@given(
    state=states,
    half_life=st.one_of(st.none(), st.floats(min_value=0.0, max_value=MAX_HALF_LIFE, exclude_min=True)),
)
def test_encoding_and_decoding_round_trips_exactly(state: GaussianState, half_life: float | None) -> None:
    model = GaussianModel(state, half_life)

    encoded = encode_model(model)
    decoded = decode_model(encoded)

    assert isinstance(decoded, GaussianModel)
    assert decoded.statistics == state
    assert decoded.parameters == {"half_life": half_life}
    assert decoded.state() == model.state()
    assert encode_model(decoded) == encoded


def test_an_updated_model_round_trips_with_its_weight_and_judges_the_same() -> None:
    model = updated(fitted([1.0, 5.0, 2.0, 8.0], half_life=3.0), [30.0, 31.0, 29.5], START + 4)
    assert model.statistics.weight != model.statistics.points_used

    decoded = decode_model(encode_model(model))
    content = json.loads(encode_model(model))

    assert content["kind"] == "gaussian"
    assert content["parameters"] == {"half_life": 3.0}
    assert content["state"]["weight"] == model.statistics.weight
    assert decoded.state() == model.state()
    values = np.array([0.0, 10.0, 30.0, 100.0])
    stamps = np.arange(4, dtype=np.int64)
    for column, again in zip(
        model.judge(stamps, values, Threshold()), decoded.judge(stamps, values, Threshold()), strict=True
    ):
        assert column.tolist() == again.tolist()
    # It goes on learning exactly as the model it was stored from.
    assert updated(decoded, [40.0], START + 7).state() == updated(model, [40.0], START + 7).state()
