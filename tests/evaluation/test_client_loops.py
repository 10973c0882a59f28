"""The evaluation's client loops drive the real app through its HTTP API and score every row."""

from pathlib import Path

import numpy as np
import pytest

from evaluate.client_loops import LOOPS, ClientLoop, strictly_increasing
from evaluate.nab.corpus import Series, Window
from evaluate.nab.rules import probation_length
from evaluate.served import served

ROWS = 3 * 24 * 12  # three days of 5-minute points


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


@pytest.mark.parametrize("loop", LOOPS, ids=[loop.key for loop in LOOPS])
async def test_a_loop_scores_every_row_after_probation_and_ranks_the_spike_first(
    loop: ClientLoop, tmp_path: Path
) -> None:
    series = hand_made_series()
    async with served(tmp_path) as client:
        scores = await loop.run(client, "hand-made", series)
    trained = int(probation_length(ROWS))
    assert scores.shape == (ROWS,)
    assert np.all(scores[:trained] == 0)
    assert np.all((scores >= 0) & (scores <= 1))
    assert int(np.argmax(scores)) == 700


def test_training_batches_leave_out_rows_that_do_not_move_forward() -> None:
    stamps = np.array([1, 2, 2, 3, 1, 4])
    assert strictly_increasing(stamps).tolist() == [True, True, False, True, False, True]
