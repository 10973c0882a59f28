"""The stream loop without the service: a streaming model kind driven in process, on NAB.

The same arithmetic as `client_loops.stream` through the HTTP API (fit on the probationary rows,
then judge each batch of 10 rows against the model and fold it in, as `POST /update` does), with
no HTTP, storage or concurrency: `python -m evaluate.run --only offline` checks the kind in seconds.
"""

from collections.abc import Mapping

import numpy as np

from anomaly.domain.detection import Threshold
from anomaly.domain.kinds.streaming.model import ROBUST, SEASONAL
from anomaly.domain.time_series import BatchLimits, TimeSeries
from evaluate.client_loops import FEWEST_TRAINING_POINTS, STREAM_BATCH, epoch_seconds, strictly_increasing
from evaluate.nab.corpus import Corpus, Floats, Series
from evaluate.nab.rules import probation_length
from evaluate.nab.scoring import DetectorOutput

KINDS = {kind.name: kind for kind in (ROBUST, SEASONAL)}


def score_series(
    series: Series, kind: str = "seasonal", parameters: Mapping[str, object] | None = None
) -> Floats:
    """One anomaly score per row; the probationary rows, which NAB does not score, score 0."""
    seconds, values = epoch_seconds(series), series.values
    trained = int(probation_length(len(values)))
    scores = np.zeros(len(values))
    # A fit needs strictly increasing timestamps: the rows that do not move forward stay out, as
    # the HTTP loop leaves them out of its POST /fit.
    keep = strictly_increasing(seconds[:trained])
    if keep.sum() < FEWEST_TRAINING_POINTS:
        return scores
    fit_data = TimeSeries.parse(seconds[:trained][keep], values[:trained][keep], BatchLimits(1, trained))
    model = KINDS[kind].fit(fit_data, parameters or {})
    threshold = Threshold()
    for start in range(trained, len(values), STREAM_BATCH):
        stop = min(start + STREAM_BATCH, len(values))
        scores[start:stop] = model.judge(seconds[start:stop], values[start:stop], threshold).anomaly_score
        model = model.updated(seconds[start:stop], values[start:stop])
    return scores


def score_corpus(
    corpus: Corpus, kind: str = "seasonal", parameters: Mapping[str, object] | None = None
) -> dict[str, DetectorOutput]:
    """Per file, its timestamps and anomaly scores, for `evaluate_detector`."""
    return {
        name: (series.timestamps, score_series(series, kind, parameters))
        for name, series in corpus.series.items()
    }
