"""Golden figures: the `robust` and `seasonal` kinds, driven by the stream loop (fit on the head, then
judge a batch and fold it in), score synthetic series exactly as they did when these figures were
recorded, which was when they matched the reference detector they were ported from bit for bit (its
lessons are in docs/detection.md). A change that moves them changes the detector: it must mean to,
and record new figures.
"""

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pytest

from anomaly.domain.detection import Threshold
from anomaly.domain.kinds.streaming import judging
from anomaly.domain.kinds.streaming.model import ROBUST, SEASONAL
from anomaly.domain.model_kind import Model
from anomaly.domain.time_series import BatchLimits, TimeSeries

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

START = 1_704_067_200  # 2024-01-01T00:00:00Z, a Monday
BATCH = 10
TOLERANCE = 1e-12
KINDS = {kind.name: kind for kind in (ROBUST, SEASONAL)}


class Scenario(NamedTuple):
    kind: str
    parameters: dict[str, Any]
    seconds: Ints
    values: Floats
    fitted: int  # the first `fitted` points are the fit data
    batches: list[tuple[int, int]]  # then each batch is judged, then folded in


class Golden(NamedTuple):
    period: str | None
    level: float  # the model's level after the last batch (`summary().mean`)
    alerts: list[int]  # the points whose anomaly score reached the alert level
    scores: dict[int, float]  # anomaly scores of some points


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


def in_tens(kind: str, parameters: dict[str, Any], seconds: Ints, values: Floats, fitted: int) -> Scenario:
    batches = [(start, min(start + BATCH, len(values))) for start in range(fitted, len(values), BATCH)]
    return Scenario(kind, parameters, seconds, values, fitted, batches)


def scenarios() -> dict[str, Scenario]:
    chosen = {}
    for seed in (1, 2):
        seconds, values = daily_cycle(10, 300, seed)
        chosen[f"daily_{seed}"] = in_tens("seasonal", {}, seconds, with_anomalies(values), 600)
    seconds, values = daily_cycle(70, 3600, 3)
    weekend = ((seconds // 86_400 + 3) % 7) >= 5
    chosen["weekly"] = in_tens(
        "seasonal", {}, seconds, with_anomalies(np.where(weekend, values * 0.3, values)), 500
    )
    seconds, values = daily_cycle(10, 300, 4)
    chosen["robust"] = in_tens("robust", {}, seconds, with_anomalies(values), 600)
    # Few distinct values (a CPU series): no period, a zero MAD, the scale floor at work.
    values = np.round(np.random.default_rng(5).normal(10.0, 0.4, 3000) * 2) / 2
    seconds = START + 300 * np.arange(3000, dtype=np.int64)
    chosen["quantised"] = in_tens("seasonal", {}, seconds, with_anomalies(values), 450)
    # Every client parameter away from its default.
    seconds, values = daily_cycle(8, 300, 6)
    parameters = {"half_life": 300, "alert": 0.7, "refractory": 5, "period": "day", "season_half_life": 10}
    chosen["parameters"] = in_tens("seasonal", parameters, seconds, with_anomalies(values), 300)
    # Repeated timestamps, in the fit data and after it, and a step back in time.
    seconds, values = daily_cycle(6, 300, 7)
    seconds[300:303] = seconds[299]
    seconds[900:905] = seconds[899]
    seconds[1200] -= 3300
    chosen["repeats"] = in_tens("seasonal", {}, seconds, with_anomalies(values), 600)
    # Batches of many blocks (the running sums, extremes and episodes carried between blocks), and of one.
    seconds, values = daily_cycle(150, 300, 8)  # 43 200 points
    values = with_anomalies(values)
    # Not a new extreme: the spike at 15 000, a block earlier in the same batch, went higher.
    values[15_000], values[25_000] = 400.0, 399.0
    batches = [(5000, 40_000), (40_000, 40_001), (40_001, len(values))]
    chosen["large"] = Scenario("seasonal", {}, seconds, values, 5000, batches)
    return chosen


SCENARIOS = scenarios()


def streamed(scenario: Scenario) -> tuple[Model, Floats]:
    kind, parameters, seconds, values, fitted, batches = scenario
    # The fit data may repeat a timestamp here; the kinds fold points in order whatever their times.
    limits = BatchLimits(min_points=1, max_points=len(values), in_order=False)
    model = KINDS[kind].fit(TimeSeries.parse(seconds[:fitted], values[:fitted], limits), parameters)
    scores = np.zeros(len(values))
    for start, stop in batches:
        scores[start:stop] = model.judge(seconds[start:stop], values[start:stop], Threshold()).anomaly_score
        model = model.updated(seconds[start:stop], values[start:stop])
    return model, scores


def picked(name: str) -> list[int]:
    """The points whose scores are recorded: the start, the anomalies and around them, the end."""
    scenario = SCENARIOS[name]
    count, fitted = len(scenario.values), scenario.fitted
    picks = {fitted, fitted + 1, count // 3, count // 2, count // 2 + 1, count // 2 + 200, count // 2 + 202}
    picks |= {3 * count // 4, 3 * count // 4 + 5, 7 * count // 8, 7 * count // 8 + 25, count - 1}
    if name == "repeats":
        picks |= {899, 902, 904, 905, 1200, 1201}
    if name == "large":
        block = judging.BLOCK
        picks |= {fitted + block - 1, fitted + block, fitted + block + 9, fitted + 2 * block, 15_000, 25_000}
        picks |= {39_999, 40_000, 40_001}
    return sorted(pick for pick in picks if pick >= fitted)


# Recorded with the port when it agreed bit for bit with the reference detector on every scenario.
GOLDEN: dict[str, Golden] = {
    "daily_1": Golden(
        period="day",
        level=49.248857572872836,
        alerts=[1440, 1642, 2166, 2523],
        scores={
            600: 0.06736801788974452,
            601: 0.05678707413865719,
            960: 0.09726712638892661,
            1440: 1.0,
            1441: 0.4,
            1640: 0.5026935404252558,
            1642: 0.8681196313452312,
            2160: 0.4593892234202625,
            2165: 0.7945577054659596,
            2520: 0.26010505856264543,
            2545: 0.4,
            2879: 0.05678707413865719,
        },
    ),
    "daily_2": Golden(
        period="day",
        level=49.34007936710564,
        alerts=[1440, 1642, 2166, 2523],
        scores={
            600: 0.13693324246112393,
            601: 0.1281056033436948,
            960: 0.11455339925666043,
            1440: 1.0,
            1441: 0.4,
            1640: 0.49545938407153145,
            1642: 0.8643116790627463,
            2160: 0.4575002345230403,
            2165: 0.7812415113693135,
            2520: 0.21621731196933683,
            2545: 0.4,
            2879: 0.05678707413865719,
        },
    ),
    "weekly": Golden(
        period="week",
        level=43.5180614077092,
        alerts=[840],
        scores={
            500: 0.05678707413865719,
            501: 0.05678707413865719,
            560: 0.057307678562944546,
            840: 1.0,
            841: 0.4,
            1040: 0.06716016198797335,
            1042: 0.09355955312552808,
            1260: 0.0899366703651063,
            1265: 0.10222872047384167,
            1470: 0.11743942015420128,
            1495: 0.3528300888840691,
            1679: 0.11360872027447218,
        },
    ),
    "robust": Golden(
        period=None,
        level=46.6339326057294,
        alerts=[1440, 2523],
        scores={
            600: 0.05678707413865719,
            601: 0.06797967802106836,
            960: 0.176314260750664,
            1440: 1.0,
            1441: 0.4,
            1640: 0.4394884550367135,
            1642: 0.46651506456171354,
            2160: 0.384356335591804,
            2165: 0.37771265998885906,
            2520: 0.34935402007314953,
            2545: 0.4,
            2879: 0.05678707413865719,
        },
    ),
    "quantised": Golden(
        period=None,
        level=11.45958149921272,
        alerts=[564, 1500, 1700, 2252, 2627],
        scores={
            450: 0.07522174434567061,
            451: 0.08164233423916017,
            1000: 0.05678707413865719,
            1500: 1.0,
            1501: 0.4,
            1700: 1.0,
            1702: 0.4,
            2250: 0.5166879419519017,
            2255: 0.4,
            2625: 0.46189756545943444,
            2650: 0.4,
            2999: 0.2046761378322708,
        },
    ),
    "parameters": Golden(
        period="day",
        level=60.11974120143101,
        alerts=[1152, 1355, 2019],
        scores={
            300: 0.05678707413865719,
            301: 0.05678707413865719,
            768: 0.05678707413865719,
            1152: 1.0,
            1153: 0.35,
            1352: 0.43109255189317774,
            1354: 0.4113982489315995,
            1728: 0.34754869007549755,
            1733: 0.3919814428624024,
            2016: 0.0882027663446833,
            2041: 0.35,
            2303: 0.05678707413865719,
        },
    ),
    "repeats": Golden(
        period="day",
        level=39.62876208875104,
        alerts=[864, 1066, 1302, 1514],
        scores={
            600: 0.0619042720836561,
            601: 0.062303186087985726,
            864: 1.0,
            865: 0.4,
            899: 0.06994914970637527,
            902: 0.12363994682444561,
            904: 0.18399913706954843,
            905: 0.18334833971977263,
            1064: 0.5245840778906634,
            1066: 0.8690873963536112,
            1200: 0.07081479426116653,
            1201: 0.07945892833824793,
            1296: 0.5048517606732323,
            1301: 0.7877985255875051,
            1512: 0.38945614647808774,
            1537: 0.4,
            1727: 0.0905992745734255,
        },
    ),
    "large": Golden(
        period="day",
        level=64.14408812973709,
        alerts=[15000, 21802, 32405],
        scores={
            5000: 0.05678707413865719,
            5001: 0.05678707413865719,
            14400: 0.05678707413865719,
            15000: 1.0,
            21383: 0.06268794729219815,
            21384: 0.08095354052762782,
            21393: 0.1033093643445132,
            21600: 0.4733139503147625,
            21601: 0.7462256600021782,
            21800: 0.4771142434006725,
            21802: 0.8615319423424586,
            25000: 0.5010826488179456,
            32400: 0.41418318624984424,
            32405: 0.8248715717464492,
            37768: 0.4,
            37800: 0.4,
            37825: 0.4,
            39999: 0.4,
            40000: 0.05822020526226323,
            40001: 0.05678707413865719,
            43199: 0.05678707413865719,
        },
    ),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_kinds_score_the_recorded_figures(name: str) -> None:
    golden = GOLDEN[name]
    model, scores = streamed(SCENARIOS[name])
    alert = model.parameters["alert"]

    assert model.describe()["period"] == golden.period
    assert np.flatnonzero(scores >= alert).tolist() == golden.alerts
    picks = picked(name)
    assert picks == sorted(golden.scores)
    np.testing.assert_allclose(scores[picks], [golden.scores[pick] for pick in picks], rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(model.summary().mean, golden.level, rtol=TOLERANCE, atol=0)


@pytest.mark.parametrize("block", [7, 1000, 1_000_000])
def test_a_batch_judges_and_folds_in_the_same_whatever_the_block_size(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Judging works block by block; what it carries between blocks must make the blocks invisible.
    seconds, values = daily_cycle(20, 300, 10)
    values = with_anomalies(values)
    values[3000], values[3500] = 400.0, 399.0  # the second is no new extreme: the first went higher
    limits = BatchLimits(min_points=1, max_points=len(values))
    model = SEASONAL.fit(TimeSeries.parse(seconds[:1000], values[:1000], limits), {})
    threshold = Threshold()
    expected = model.judge(seconds[1000:], values[1000:], threshold)
    learnt = model.updated(seconds[1000:], values[1000:]).state()

    monkeypatch.setattr(judging, "BLOCK", block)
    judged = model.judge(seconds[1000:], values[1000:], threshold)
    for column, want, got in zip(expected._fields, expected, judged, strict=True):
        np.testing.assert_array_equal(got, want, err_msg=column)
    assert model.updated(seconds[1000:], values[1000:]).state() == learnt
    assert (expected.anomaly_score >= 0.8).sum() >= 2  # alerts and their episodes cross the blocks
