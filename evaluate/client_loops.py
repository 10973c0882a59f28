"""How a client drives the service over a NAB series: each loop returns one anomaly score per row."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import numpy as np

from evaluate.nab.corpus import Floats, Series
from evaluate.nab.rules import probation_length

DAY = 86_400
# The service's default MIN_TRAINING_DATA_POINTS: a shorter window keeps the version it has.
FEWEST_TRAINING_POINTS = 3
# Each judged point's score in [0, 1], from what /detect answers about it.
Scorer = Callable[[dict[str, object], int], float]
Loop = Callable[[httpx.AsyncClient, str, Series], Awaitable[Floats]]


@dataclass(frozen=True)
class ClientLoop:
    """A documented way of using the service on a stream: `key` for --only, `name` for the table."""

    key: str
    name: str
    description: str
    run: Loop


def epoch_seconds(series: Series) -> np.ndarray:
    return series.timestamps.astype("datetime64[s]").astype(np.int64)


def distance_in_deviations(answer: dict[str, object], index: int) -> float:
    """How unusual a point is under the gaussian kind, |z| / (1 + |z|): monotone in |z| and, unlike
    a tail probability, not rounded to 1 for every far point, so the threshold can still tell them
    apart. A point off a constant model (score null) is as unusual as it gets."""
    score = answer["score"]
    assert isinstance(score, list)
    z = score[index]
    return 1.0 if z is None else abs(float(z)) / (1.0 + abs(float(z)))


def strictly_increasing(timestamps: np.ndarray) -> np.ndarray:
    """Rows to train on: a repeated or backward timestamp is left out of a training batch."""
    keep = np.ones(len(timestamps), dtype=bool)
    latest = None
    for index, stamp in enumerate(timestamps.tolist()):
        if latest is not None and stamp <= latest:
            keep[index] = False
        else:
            latest = stamp
    return keep


async def fit(client: httpx.AsyncClient, series_id: str, timestamps: np.ndarray, values: Floats) -> bool:
    """Fit the batch, if it has enough points; whether a version was made."""
    keep = strictly_increasing(timestamps)
    if keep.sum() < FEWEST_TRAINING_POINTS:
        return False
    body = {"timestamps": timestamps[keep].tolist(), "values": values[keep].tolist()}
    response = await client.post(f"/fit/{series_id}", json=body)
    response.raise_for_status()
    return True


async def detect(
    client: httpx.AsyncClient, series_id: str, timestamps: np.ndarray, values: Floats, scorer: Scorer
) -> Floats:
    """Every point judged, in one request: /detect takes repeated and out-of-order timestamps."""
    body = {"timestamps": timestamps.tolist(), "values": values.tolist()}
    response = await client.post(f"/detect/{series_id}", params={"direction": "both"}, json=body)
    response.raise_for_status()
    answer = response.json()
    return np.array([scorer(answer, index) for index in range(len(timestamps))], dtype=np.float64)


async def fit_once_then_detect(client: httpx.AsyncClient, series_id: str, series: Series) -> Floats:
    """Fit on the probationary period (which NAB does not score), then judge the rest at once."""
    timestamps, values = epoch_seconds(series), series.values
    trained = int(probation_length(len(values)))
    await fit(client, series_id, timestamps[:trained], values[:trained])
    scores = np.zeros(len(values))
    scores[trained:] = await detect(
        client, series_id, timestamps[trained:], values[trained:], distance_in_deviations
    )
    return scores


async def daily_refit(client: httpx.AsyncClient, series_id: str, series: Series) -> Floats:
    """Every day, refit on the last week of points, then judge the next day's points."""
    timestamps, values = epoch_seconds(series), series.values
    scores = np.zeros(len(values))
    start = int(probation_length(len(values)))
    fitted = False
    while start < len(values):
        # Rows in file order (a few files step back in time): a day is the rows up to 24 h on.
        day_end = start + 1
        while day_end < len(values) and timestamps[day_end] < timestamps[start] + DAY:
            day_end += 1
        week = (timestamps[:start] >= timestamps[start] - 7 * DAY) & (timestamps[:start] < timestamps[start])
        fitted = await fit(client, series_id, timestamps[:start][week], values[:start][week]) or fitted
        if fitted:
            scores[start:day_end] = await detect(
                client, series_id, timestamps[start:day_end], values[start:day_end], distance_in_deviations
            )
        start = day_end
    return scores


LOOPS = (
    ClientLoop(
        "fit-once", "gaussian, fit once", "fit on the first 15%, detect the rest", fit_once_then_detect
    ),
    ClientLoop(
        "daily-refit", "gaussian, daily refit", "refit on the last 7 days, detect the next day", daily_refit
    ),
)
