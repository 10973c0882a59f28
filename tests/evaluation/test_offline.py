"""The offline row of `make evaluate`: the stream loop without HTTP scores what the loop through the
service scores, and the seasonal kind keeps its NAB figures (docs/detection.md)."""

from pathlib import Path

import numpy as np
import pytest

from evaluate import offline
from evaluate.client_loops import stream
from evaluate.nab.corpus import Series, Window, load_corpus
from evaluate.nab.scoring import evaluate_detector
from evaluate.served import served
from tests.support.nab import require_nab

ROWS = 4 * 24 * 12  # four days of 5-minute points
# What the seasonal kind scores on the whole corpus, as the reference detector it was ported from did.
SEASONAL_SCORES = {"standard": 70.58, "reward_low_FP_rate": 66.44, "reward_low_FN_rate": 73.78}


def hand_made_series() -> Series:
    """A daily cycle with a spike, repeated timestamps in the fit rows and after them, and a step back."""
    start = np.datetime64("2024-01-01T00:00:00", "us")
    timestamps = start + np.arange(ROWS) * np.timedelta64(5, "m")
    timestamps[40:43] = timestamps[39]
    timestamps[500] = timestamps[499]
    timestamps[600] = timestamps[598]
    noise = np.random.default_rng(1).normal(0.0, 0.05, ROWS)
    values = 10 + np.sin(np.arange(ROWS) / 288 * 2 * np.pi) + noise
    values[700] = 40.0
    return Series("hand/made.csv", timestamps, values, (Window(timestamps[690], timestamps[710]),))


@pytest.mark.parametrize("kind", sorted(offline.KINDS))
async def test_the_offline_loop_scores_exactly_what_the_stream_loop_through_the_service_does(
    kind: str, tmp_path: Path
) -> None:
    series = hand_made_series()
    async with served(tmp_path) as client:
        through_http = await stream(kind)(client, "hand-made", series)
    scores = offline.score_series(series, kind)
    np.testing.assert_array_equal(scores, through_http)
    assert scores[700] == 1.0


def test_the_seasonal_kind_scores_its_figures_on_the_whole_corpus() -> None:
    corpus = load_corpus(require_nab())
    results = evaluate_detector(offline.score_corpus(corpus), corpus)
    assert {name: round(result.normalised, 2) for name, result in results.items()} == SEASONAL_SCORES
