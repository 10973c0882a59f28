"""Predict on in-memory fakes: which version judges a point, what it answers, and when it cannot."""

import math
from collections.abc import Awaitable, Callable

import pytest

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.domain.detection import Direction, Threshold
from anomaly.domain.errors import InvalidInput, SeriesNotFound, VersionNotFound
from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ArtifactRef, ModelVersion
from anomaly.ports.errors import ModelUnreadable
from anomaly.use_cases.delete_versions import DeleteVersions
from anomaly.use_cases.fit_model import FitCommand
from anomaly.use_cases.predict import Predict
from tests.support.fakes import Fakes

# Mean 3, population std sqrt(3.5) (about 1.87).
SKEWED = b'{"timestamps": [100, 101, 102, 103], "values": [1.0, 2.0, 3.0, 6.0]}'


def around(mean: float) -> bytes:
    """Three points with this mean and a std of about 0.82."""
    return f'{{"timestamps": [1, 2, 3], "values": [{mean - 1}, {mean}, {mean + 1}]}}'.encode()


async def fit(fakes: Fakes, batch: bytes, series: str = "cpu") -> ModelVersion:
    return await fakes.fit_model()(FitCommand(series, batch))


def predict(fakes: Fakes) -> Predict:
    """As the service builds it: rows cached until their series changes, models cached."""
    return Predict(fakes.rows(), fakes.states())


class DeletedWhileRead(InMemoryArtifactStore):
    """Runs `before_next_read` (a delete committing elsewhere) between a row lookup and its model read."""

    def __init__(self) -> None:
        super().__init__()
        self.before_next_read: Callable[[], Awaitable[object]] | None = None

    async def load_model(self, ref: ArtifactRef) -> Model:
        meanwhile, self.before_next_read = self.before_next_read, None
        if meanwhile is not None:
            await meanwhile()
        return await super().load_model(ref)


async def test_a_point_is_judged_by_the_latest_version_by_default() -> None:
    fakes = Fakes()
    await fit(fakes, around(10.0))
    newest = await fit(fakes, around(20.0))
    prediction = await predict(fakes)("cpu", None, 4, 20.5, Threshold())
    assert prediction.version.version == 2
    assert prediction.version == newest
    assert prediction.judgement.expected == newest.summary.mean == 20.0


async def test_a_pinned_version_judges_the_point_though_newer_ones_exist() -> None:
    fakes = Fakes()
    first = await fit(fakes, around(10.0))
    await fit(fakes, around(20.0))
    pinned = await predict(fakes)("cpu", 1, 4, 20.0, Threshold())
    assert pinned.version == first
    assert pinned.judgement.expected == first.summary.mean == 10.0
    assert pinned.judgement.anomaly  # far above version 1's band
    latest = await predict(fakes)("cpu", None, 4, 20.0, Threshold())
    assert latest.version.version == 2
    assert not latest.judgement.anomaly  # the mean of version 2


@pytest.mark.parametrize(
    ("threshold", "value", "anomaly"),
    [
        (Threshold(), 8.0, False),  # upper bound 3 + 3 * 1.87 = 8.61
        (Threshold(k=2.0), 8.0, True),  # upper bound 6.74
        (Threshold(k=1.0, direction=Direction.UP), 1.0, False),
        (Threshold(k=1.0, direction=Direction.DOWN), 1.0, True),  # lower bound 1.13
        (Threshold(k=1.0, direction=Direction.DOWN), 8.0, False),
        (Threshold(k=1.0, direction=Direction.BOTH), 1.0, True),
        (Threshold(k=1.0, direction=Direction.BOTH), 8.0, True),
        (Threshold(k=1.0, direction=Direction.BOTH), 3.5, False),
    ],
)
async def test_the_verdict_band_and_score_follow_k_and_direction(
    threshold: Threshold, value: float, anomaly: bool
) -> None:
    fakes = Fakes()
    stored = await fit(fakes, SKEWED)
    model = await fakes.artifacts.load_model(stored.model)
    prediction = await predict(fakes)("cpu", None, 200, value, threshold)
    judgement = prediction.judgement
    assert (judgement.lower, judgement.upper) == stored.summary.band(threshold.k)
    assert judgement.lower == pytest.approx(3.0 - threshold.k * math.sqrt(3.5))
    assert judgement.upper == pytest.approx(3.0 + threshold.k * math.sqrt(3.5))
    assert judgement == model.judge_point(200, value, threshold)
    assert judgement.anomaly is anomaly
    assert judgement.score == pytest.approx((value - 3.0) / math.sqrt(3.5))
    assert judgement.expected == 3.0
    z = abs(value - 3.0) / math.sqrt(3.5)
    assert judgement.anomaly_score == pytest.approx(z / (z + 3.0))


@pytest.mark.parametrize("version", [None, 1])
async def test_an_unknown_series_is_not_found(version: int | None) -> None:
    fakes = Fakes()
    await fit(fakes, SKEWED, series="memory")
    with pytest.raises(SeriesNotFound) as raised:
        await predict(fakes)("cpu", version, 200, 1.0, Threshold())
    assert raised.value.series_id == "cpu"


async def test_an_unknown_version_of_a_known_series_is_version_not_found() -> None:
    fakes = Fakes()
    await fit(fakes, SKEWED)
    with pytest.raises(VersionNotFound) as raised:
        await predict(fakes)("cpu", 2, 200, 1.0, Threshold())
    assert (raised.value.series_id, raised.value.version) == ("cpu", 2)


@pytest.mark.parametrize(
    ("timestamp", "value", "field"),
    [
        (200, math.nan, "value"),
        (200, math.inf, "value"),
        (200, -math.inf, "value"),
        (200, True, "value"),
        (-1, 1.0, "timestamp"),
        (2**63, 1.0, "timestamp"),
    ],
)
async def test_an_invalid_point_is_refused_naming_its_field(timestamp: int, value: float, field: str) -> None:
    fakes = Fakes()
    await fit(fakes, SKEWED)
    with pytest.raises(InvalidInput) as raised:
        await predict(fakes)("cpu", None, timestamp, value, Threshold())
    assert raised.value.field == field


async def test_the_latest_version_deleted_while_its_model_is_read_gives_way_to_the_new_latest() -> None:
    store = DeletedWhileRead()
    fakes = Fakes(artifacts=store)
    first = await fit(fakes, around(10.0))
    await fit(fakes, around(20.0))
    store.before_next_read = lambda: DeleteVersions(fakes.writes, fakes.artifacts).version("cpu", 2)
    prediction = await predict(fakes)("cpu", None, 4, 10.0, Threshold())
    assert store.before_next_read is None  # the delete did run between the lookup and the read
    assert prediction.version == first
    assert prediction.judgement.expected == first.summary.mean


async def test_a_pinned_version_deleted_while_its_model_is_read_is_not_found() -> None:
    store = DeletedWhileRead()
    fakes = Fakes(artifacts=store)
    await fit(fakes, around(10.0))
    await fit(fakes, around(20.0))
    store.before_next_read = lambda: DeleteVersions(fakes.writes, fakes.artifacts).version("cpu", 2)
    with pytest.raises(VersionNotFound) as raised:
        await predict(fakes)("cpu", 2, 4, 10.0, Threshold())
    assert raised.value.version == 2


async def test_a_series_deleted_while_its_model_is_read_is_not_found() -> None:
    store = DeletedWhileRead()
    fakes = Fakes(artifacts=store)
    await fit(fakes, around(10.0))
    store.before_next_read = lambda: DeleteVersions(fakes.writes, fakes.artifacts).series("cpu")
    with pytest.raises(SeriesNotFound):
        await predict(fakes)("cpu", None, 4, 10.0, Threshold())


@pytest.mark.parametrize("damage", ["missing", "altered"])
async def test_a_stored_version_whose_model_is_damaged_is_unreadable_naming_the_version(damage: str) -> None:
    store = InMemoryArtifactStore()
    fakes = Fakes(artifacts=store)
    await fit(fakes, around(10.0))
    damaged = await fit(fakes, around(20.0))
    if damage == "missing":
        del store.files[damaged.model.location]
    else:
        store.files[damaged.model.location] += b" "
    for version in (None, 2):  # never silently answered by version 1
        with pytest.raises(ModelUnreadable) as raised:
            await predict(fakes)("cpu", version, 4, 20.0, Threshold())
        assert (raised.value.series_id, raised.value.version) == ("cpu", 2)
        assert "version 2" in raised.value.public_message
        assert damaged.model.location not in raised.value.public_message  # where files live stays private


async def test_a_fit_anywhere_is_used_by_the_next_predict_though_rows_are_cached() -> None:
    fakes = Fakes()
    await fit(fakes, around(10.0))
    here = predict(fakes)
    assert (await here("cpu", None, 4, 10.0, Threshold())).version.version == 1
    # Another process serving the same registry, which tells this one through the shared changes.
    elsewhere = Fakes(database=fakes.database, artifacts=fakes.artifacts, changes=fakes.changes)
    newest = await fit(elsewhere, around(20.0))
    prediction = await here("cpu", None, 4, 20.0, Threshold())
    assert prediction.version == newest
    assert prediction.judgement.expected == newest.summary.mean
    assert prediction.judgement.anomaly is False  # version 1 would have flagged it
