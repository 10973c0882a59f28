"""The reference detector on NAB, driven as the service's documented client loop, without the service."""

import math

import numpy as np

from evaluate.nab.corpus import Corpus, Floats, Series
from evaluate.nab.scoring import DetectorOutput
from evaluate.prototype.detector import Params, fit, judge, update

BATCH = 10
# NAB's probationary period: 15 % of the file, at most 15 % of 5000 rows.
PROBATION_FRACTION = 0.15
PROBATION_CAP = 750


def probation(row_count: int) -> int:
    return int(min(math.floor(PROBATION_FRACTION * row_count), PROBATION_CAP))


def score_series(series: Series, params: Params | None = None, batch: int = BATCH) -> Floats:
    """Fit on the probationary rows (scored 0, as NAB ignores them), then judge each batch and fold it in."""
    timestamps, values = series.timestamps, series.values
    fitted = probation(len(values))
    scores = np.zeros(len(values))
    state = fit(timestamps[:fitted], values[:fitted], params)
    for start in range(fitted, len(values), batch):
        stop = min(len(values), start + batch)
        scores[start:stop] = judge(state, timestamps[start:stop], values[start:stop]).anomaly_score
        state = update(state, timestamps[start:stop], values[start:stop])
    return scores


def score_corpus(
    corpus: Corpus, params: Params | None = None, batch: int = BATCH, names: list[str] | None = None
) -> dict[str, DetectorOutput]:
    """Per file of the corpus (or of `names`), its timestamps and anomaly scores, for `evaluate_detector`."""
    chosen = sorted(corpus.series) if names is None else names
    return {
        name: (corpus.series[name].timestamps, score_series(corpus.series[name], params, batch))
        for name in chosen
    }
