"""How a client drives the service over a NAB series: each loop returns one anomaly score per row.

Every loop scores a point with the `anomaly_score` the service answers for it (in [0, 1]); the
probationary rows, which NAB does not score, score 0.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import httpx
import numpy as np

from evaluate.nab.corpus import Floats, Series
from evaluate.nab.rules import probation_length

DAY = 86_400
# The service's default MIN_TRAINING_DATA_POINTS: a shorter window keeps the version it has.
FEWEST_TRAINING_POINTS = 3
# Points per update in the stream loop, as the reference detector is scored.
STREAM_BATCH = 10
Loop = Callable[[httpx.AsyncClient, str, Series], Awaitable[Floats]]


@dataclass(frozen=True)
class ClientLoop:
    """A documented way of using the service on a stream: `key` for --only, `name` for the table."""

    key: str
    name: str
    description: str
    run: Loop


class KindUnavailable(Exception):
    """The service has no model kind of the name a loop fits (a fit answered 422 on `kind`)."""


def epoch_seconds(series: Series) -> np.ndarray:
    return series.timestamps.astype("datetime64[s]").astype(np.int64)


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


async def fit(
    client: httpx.AsyncClient,
    series_id: str,
    timestamps: np.ndarray,
    values: Floats,
    kind: str | None = None,
    parameters: Mapping[str, object] | None = None,
) -> bool:
    """Fit the batch (of `kind`, when named), if it has enough points; whether a version was made."""
    keep = strictly_increasing(timestamps)
    if keep.sum() < FEWEST_TRAINING_POINTS:
        return False
    body: dict[str, object] = {"timestamps": timestamps[keep].tolist(), "values": values[keep].tolist()}
    if kind is not None:
        body["kind"] = kind
    if parameters is not None:
        body["parameters"] = dict(parameters)
    response = await client.post(f"/fit/{series_id}", json=body)
    if response.status_code == httpx.codes.UNPROCESSABLE_ENTITY and response.json().get("field") == "kind":
        raise KindUnavailable(response.json()["message"])
    response.raise_for_status()
    return True


async def judged(client: httpx.AsyncClient, path: str, timestamps: np.ndarray, values: Floats) -> Floats:
    """Each point's anomaly score, as /detect or /update answers it (both take repeated and
    out-of-order timestamps), in one request."""
    body = {"timestamps": timestamps.tolist(), "values": values.tolist()}
    response = await client.post(path, json=body)
    response.raise_for_status()
    return np.array(response.json()["anomaly_score"], dtype=np.float64)


async def fit_once_then_detect(client: httpx.AsyncClient, series_id: str, series: Series) -> Floats:
    """Fit on the probationary period (which NAB does not score), then judge the rest at once."""
    timestamps, values = epoch_seconds(series), series.values
    trained = int(probation_length(len(values)))
    await fit(client, series_id, timestamps[:trained], values[:trained])
    scores = np.zeros(len(values))
    scores[trained:] = await judged(client, f"/detect/{series_id}", timestamps[trained:], values[trained:])
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
            scores[start:day_end] = await judged(
                client, f"/detect/{series_id}", timestamps[start:day_end], values[start:day_end]
            )
        start = day_end
    return scores


def stream(kind: str, parameters: Mapping[str, object] | None = None) -> Loop:
    """The stream loop with a model of `kind`: fit on the probationary rows, then for each batch of
    `STREAM_BATCH` rows in file order (repeated or backward timestamps as they come), one
    `POST /update`, which judges the batch against the newest version and folds it in."""

    async def run(client: httpx.AsyncClient, series_id: str, series: Series) -> Floats:
        timestamps, values = epoch_seconds(series), series.values
        trained = int(probation_length(len(values)))
        scores = np.zeros(len(values))
        if not await fit(client, series_id, timestamps[:trained], values[:trained], kind, parameters):
            return scores
        for start in range(trained, len(values), STREAM_BATCH):
            stop = min(start + STREAM_BATCH, len(values))
            scores[start:stop] = await judged(
                client, f"/update/{series_id}", timestamps[start:stop], values[start:stop]
            )
        return scores

    return run


LOOPS = (
    ClientLoop(
        "fit-once", "gaussian, fit once", "fit on the first 15%, detect the rest", fit_once_then_detect
    ),
    ClientLoop(
        "daily-refit", "gaussian, daily refit", "refit on the last 7 days, detect the next day", daily_refit
    ),
    ClientLoop(
        "stream-gaussian",
        "gaussian, stream",
        "fit on the first 15% (half_life 1000), then update with each 10 points",
        stream("gaussian", {"half_life": 1000}),
    ),
    ClientLoop(
        "stream-robust",
        "robust, stream",
        "fit on the first 15%, then update with each 10 points",
        stream("robust"),
    ),
    ClientLoop(
        "stream-seasonal",
        "seasonal, stream",
        "fit on the first 15%, then update with each 10 points",
        stream("seasonal"),
    ),
)
