"""The service's port of the reference detector (the `seasonal` and `robust` model kinds) scores NAB
exactly as the reference does, through the same offline client loop."""

import numpy as np
import pytest

from evaluate.nab.corpus import load_corpus
from evaluate.nab.scoring import evaluate_detector
from evaluate.prototype.detector import Params
from evaluate.prototype.offline import score_corpus, score_series, score_series_with_kind
from tests.support.nab import require_nab

# Spiky counts, gappy hourly prices, a flat line, irregular traffic, a weekly taxi cycle.
FILES = (
    "realTweets/Twitter_volume_AAPL.csv",
    "realAdExchange/exchange-2_cpc_results.csv",
    "artificialNoAnomaly/art_flatline.csv",
    "realTraffic/TravelTime_451.csv",
    "realKnownCause/nyc_taxi.csv",
)
# The reference's published figures (evaluate/prototype/README.md).
REFERENCE_SCORES = {"standard": 70.58, "reward_low_FP_rate": 66.44, "reward_low_FN_rate": 73.78}


@pytest.mark.parametrize(("kind", "params"), [("seasonal", Params()), ("robust", Params(kind="robust"))])
def test_the_kinds_score_nab_files_as_the_reference_does(kind: str, params: Params) -> None:
    corpus = load_corpus(require_nab())
    for name in FILES:
        series = corpus.series[name]
        np.testing.assert_array_equal(
            score_series_with_kind(series, kind), score_series(series, params), err_msg=name
        )


def test_the_seasonal_kind_scores_the_reference_figures_on_the_whole_corpus() -> None:
    corpus = load_corpus(require_nab())
    results = evaluate_detector(score_corpus(corpus, kind="seasonal"), corpus)
    assert {name: round(result.normalised, 2) for name, result in results.items()} == REFERENCE_SCORES
