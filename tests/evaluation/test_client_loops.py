"""The evaluation's client loops drive the real app through its HTTP API and score every row."""

import json
import math
from pathlib import Path

import httpx
import numpy as np
import pytest

from evaluate.client_loops import (
    LOOPS,
    STREAM_BATCH,
    ClientLoop,
    KindUnavailable,
    stream,
    strictly_increasing,
)
from evaluate.nab.corpus import Floats, Series, Window
from evaluate.nab.rules import probation_length
from evaluate.served import served

ROWS = 3 * 24 * 12  # three days of 5-minute points
STREAM_LOOPS = [loop for loop in LOOPS if loop.key.startswith("stream-")]


def hand_made_series() -> Series:
    """A daily cycle with one spike, a repeated timestamp and a step back, as NAB files have."""
    start = np.datetime64("2024-01-01T00:00:00", "us")
    timestamps = start + np.arange(ROWS) * np.timedelta64(5, "m")
    timestamps[500] = timestamps[499]
    timestamps[600] = timestamps[598]
    values = 10 + np.sin(np.arange(ROWS) / 288 * 2 * np.pi)
    values[700] = 40.0
    return Series(
        name="hand/made.csv",
        timestamps=timestamps,
        values=values,
        windows=(Window(timestamps[690], timestamps[710]),),
    )


async def scored(loop: ClientLoop, folder: Path, requests: list[httpx.Request] | None = None) -> Floats:
    """The loop's scores on the hand-made series; a skip if the service has not the loop's kind."""
    missing: KindUnavailable | None = None
    async with served(folder) as client:
        if requests is not None:

            async def seen(request: httpx.Request) -> None:
                requests.append(request)

            client.event_hooks = {"request": [seen]}
        try:
            return await loop.run(client, "hand-made", hand_made_series())
        except KindUnavailable as error:
            missing = error
    pytest.skip(f"the service has no {loop.name.split(',')[0]} kind yet: {missing}")


@pytest.mark.parametrize("loop", LOOPS, ids=[loop.key for loop in LOOPS])
async def test_a_loop_scores_every_row_after_probation_and_ranks_the_spike_at_the_top(
    loop: ClientLoop, tmp_path: Path
) -> None:
    scores = await scored(loop, tmp_path)
    trained = int(probation_length(ROWS))
    assert scores.shape == (ROWS,)
    assert np.all(scores[:trained] == 0)
    assert np.all((scores >= 0) & (scores <= 1))
    top = np.flatnonzero(scores == scores.max()).tolist()
    if loop.name.startswith("gaussian"):
        assert top == [700]
    else:
        # The streaming kinds score every new extreme 1, and with less than half a day to fit on,
        # the cycle's first climb past the fit range is one too.
        assert 700 in top


@pytest.mark.parametrize("loop", STREAM_LOOPS, ids=[loop.key for loop in STREAM_LOOPS])
async def test_the_stream_loop_fits_once_then_makes_one_update_per_batch_in_file_order(
    loop: ClientLoop, tmp_path: Path
) -> None:
    requests: list[httpx.Request] = []
    await scored(loop, tmp_path, requests)

    trained = int(probation_length(ROWS))
    assert [request.url.path for request in requests] == ["/fit/hand-made"] + [
        "/update/hand-made"
    ] * math.ceil((ROWS - trained) / STREAM_BATCH)
    sent = [np.array(json.loads(request.content)["timestamps"]) for request in requests[1:]]
    series = hand_made_series()
    # Every row after probation, once and in file order, the repeated and backward ones included.
    np.testing.assert_array_equal(
        np.concatenate(sent), series.timestamps[trained:].astype("datetime64[s]").astype(np.int64)
    )


async def test_a_kind_the_service_does_not_have_is_reported_not_crashed_on(tmp_path: Path) -> None:
    async with served(tmp_path) as client:
        with pytest.raises(KindUnavailable, match="kind"):
            await stream("no-such-kind")(client, "hand-made", hand_made_series())


def test_training_batches_leave_out_rows_that_do_not_move_forward() -> None:
    stamps = np.array([1, 2, 2, 3, 1, 4])
    assert strictly_increasing(stamps).tolist() == [True, True, False, True, False, True]
