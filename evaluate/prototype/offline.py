"""The reference detector on NAB, driven as the service's documented client loop, without the service.

`kind` drives the same loop through the service's own port of it instead (the `seasonal` or `robust`
model kind of `anomaly.domain.kinds.streaming`), which scores exactly as the reference does.
"""

import math
from collections.abc import Mapping

import numpy as np

from anomaly.domain.detection import Threshold
from anomaly.domain.kinds.streaming.model import ROBUST, SEASONAL
from anomaly.domain.time_series import BatchLimits, TimeSeries
from evaluate.nab.corpus import Corpus, Floats, Series
from evaluate.nab.scoring import DetectorOutput
from evaluate.prototype.detector import Params, fit, judge, update

BATCH = 10
# NAB's probationary period: 15 % of the file, at most 15 % of 5000 rows.
PROBATION_FRACTION = 0.15
PROBATION_CAP = 750
KINDS = {kind.name: kind for kind in (ROBUST, SEASONAL)}


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


def score_series_with_kind(
    series: Series, kind: str = "seasonal", parameters: Mapping[str, object] | None = None, batch: int = BATCH
) -> Floats:
    """`score_series` through the service's model kind `kind` (its `fit`, `judge` and `updated`)."""
    seconds = series.timestamps.astype("datetime64[s]").astype(np.int64)
    values = series.values
    fitted = probation(len(values))
    scores = np.zeros(len(values))
    # Some NAB files repeat a timestamp within the probationary rows: folded in order, as the reference does.
    limits = BatchLimits(min_points=1, max_points=len(values), in_order=False)
    model = KINDS[kind].fit(TimeSeries.parse(seconds[:fitted], values[:fitted], limits), parameters or {})
    threshold = Threshold()
    for start in range(fitted, len(values), batch):
        stop = min(len(values), start + batch)
        scores[start:stop] = model.judge(seconds[start:stop], values[start:stop], threshold).anomaly_score
        model = model.updated(seconds[start:stop], values[start:stop])
    return scores


def score_corpus(
    corpus: Corpus,
    params: Params | None = None,
    batch: int = BATCH,
    names: list[str] | None = None,
    kind: str | None = None,
) -> dict[str, DetectorOutput]:
    """Per file of the corpus (or of `names`), its timestamps and anomaly scores, for `evaluate_detector`:
    the reference detector's, or with `kind` ("seasonal", "robust") the service's model kind's."""
    chosen = sorted(corpus.series) if names is None else names

    def scores(series: Series) -> Floats:
        if kind is None:
            return score_series(series, params, batch)
        return score_series_with_kind(series, kind, batch=batch)

    return {name: (corpus.series[name].timestamps, scores(corpus.series[name])) for name in chosen}
