"""Detect on in-memory fakes: a verdict per point, in order, from the version asked for."""

import math

import pytest

from anomaly.domain.detection import Direction, Threshold
from anomaly.domain.errors import InvalidInput, SeriesNotFound, VersionNotFound
from anomaly.domain.model_version import ModelVersion
from anomaly.use_cases.detect import Detect
from anomaly.use_cases.fit_model import FitCommand
from tests.support.fakes import Fakes

# Mean 3, population std sqrt(3.5) (about 1.87).
SKEWED = b'{"timestamps": [100, 101, 102, 103], "values": [1.0, 2.0, 3.0, 6.0]}'
MAX_POINTS = 5


def around(mean: float) -> bytes:
    """Three points with this mean and a std of about 0.82."""
    return f'{{"timestamps": [1, 2, 3], "values": [{mean - 1}, {mean}, {mean + 1}]}}'.encode()


async def fit(fakes: Fakes, batch: bytes) -> ModelVersion:
    return await fakes.fit_model()(FitCommand("cpu", batch))


def detect(fakes: Fakes) -> Detect:
    """As the service builds it: rows cached until their series changes, models cached."""
    return Detect(fakes.rows(), fakes.states(), max_points=MAX_POINTS)


async def test_each_point_gets_its_verdict_in_order_and_the_flagged_are_counted() -> None:
    fakes = Fakes()
    stored = await fit(fakes, SKEWED)
    model = await fakes.artifacts.load_model(stored.model)
    threshold = Threshold(k=2.0, direction=Direction.BOTH)  # normal from -0.74 to 6.74
    timestamps, values = [10, 20, 30, 40, 50], [3.0, 9.0, 2.0, 10.0, -5.0]
    detection = await detect(fakes)("cpu", None, timestamps, values, threshold)
    judgement = detection.judgement
    assert detection.version == stored
    assert detection.version.version == 1
    lower, upper = stored.summary.band(threshold.k)
    assert (lower, upper) == pytest.approx((3.0 - 2.0 * math.sqrt(3.5), 3.0 + 2.0 * math.sqrt(3.5)))
    assert judgement.lower.tolist() == [lower] * 5
    assert judgement.upper.tolist() == [upper] * 5
    assert judgement.expected.tolist() == [3.0] * 5
    assert judgement.anomaly.tolist() == [False, True, False, True, True]
    assert judgement.flagged == 3
    singles = [
        model.judge_point(stamp, value, threshold) for stamp, value in zip(timestamps, values, strict=True)
    ]
    assert judgement.score.tolist() == pytest.approx([single.score for single in singles])
    assert judgement.anomaly_score.tolist() == pytest.approx([single.anomaly_score for single in singles])
    assert judgement.score.tolist() == pytest.approx([(value - 3.0) / math.sqrt(3.5) for value in values])


async def test_an_empty_batch_is_answered_with_no_verdicts() -> None:
    fakes = Fakes()
    stored = await fit(fakes, SKEWED)
    detection = await detect(fakes)("cpu", None, [], [], Threshold())
    assert detection.version == stored
    assert all(len(column) == 0 for column in detection.judgement)
    assert detection.judgement.flagged == 0


@pytest.mark.parametrize(
    ("timestamps", "values", "field"),
    [
        ([1, 2, 3], [1.0, math.nan, 3.0], "values[1]"),
        ([1, 2, 3], [1.0, 2.0], "values"),
        ([1, 2, 3, 4, 5, 6], [1.0] * 6, "values"),  # more than MAX_POINTS
    ],
)
async def test_an_invalid_batch_is_refused_naming_its_field(
    timestamps: list[int], values: list[float], field: str
) -> None:
    fakes = Fakes()
    await fit(fakes, SKEWED)
    with pytest.raises(InvalidInput) as raised:
        await detect(fakes)("cpu", None, timestamps, values, Threshold())
    assert raised.value.field == field


async def test_a_pinned_version_judges_the_batch_though_newer_ones_exist() -> None:
    fakes = Fakes()
    first = await fit(fakes, around(10.0))
    await fit(fakes, around(20.0))
    pinned = await detect(fakes)("cpu", 1, [1, 2], [10.0, 20.0], Threshold())
    assert pinned.version == first
    assert pinned.judgement.expected.tolist() == [10.0, 10.0]
    assert pinned.judgement.anomaly.tolist() == [False, True]
    latest = await detect(fakes)("cpu", None, [1, 2], [10.0, 20.0], Threshold())
    assert latest.version.version == 2
    assert latest.judgement.anomaly.tolist() == [False, False]


async def test_an_unknown_series_or_version_is_not_found() -> None:
    fakes = Fakes()
    await fit(fakes, SKEWED)
    with pytest.raises(SeriesNotFound):
        await detect(fakes)("memory", None, [1], [1.0], Threshold())
    with pytest.raises(VersionNotFound) as raised:
        await detect(fakes)("cpu", 2, [1], [1.0], Threshold())
    assert (raised.value.series_id, raised.value.version) == ("cpu", 2)
