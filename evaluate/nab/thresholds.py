"""Raw NAB scores of scored rows pooled from any number of files: at one threshold, or at all of them."""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from evaluate.nab.corpus import Floats

# NAB's sweep starts above every score, so its first threshold detects nothing (all windows missed).
START_THRESHOLD = 1.1


@dataclass(frozen=True)
class Counts:
    """Rows, not windows: NAB counts every scored row as a true/false positive/negative."""

    tp: int
    tn: int
    fp: int
    fn: int


@dataclass(frozen=True)
class ThresholdScore:
    """The raw NAB score when every scored row with an anomaly score >= threshold is a detection."""

    threshold: float
    score: float
    counts: Counts


@dataclass(frozen=True)
class Sweep:
    """A score per candidate threshold, highest threshold first, as NAB's Sweeper.calcScoreByThreshold."""

    thresholds: Floats
    scores: Floats
    tp: NDArray[np.int64]
    fp: NDArray[np.int64]
    inside_rows: int
    outside_rows: int

    def best(self) -> ThresholdScore:
        """The highest score; on a tie, the highest threshold (NAB's stable sort keeps the first)."""
        return self.at(int(np.argmax(self.scores)))

    def at(self, index: int) -> ThresholdScore:
        tp, fp = int(self.tp[index]), int(self.fp[index])
        counts = Counts(tp=tp, tn=self.outside_rows - fp, fp=fp, fn=self.inside_rows - tp)
        return ThresholdScore(float(self.thresholds[index]), float(self.scores[index]), counts)


def score_at(
    anomaly_scores: Floats, weights: Floats, windows: NDArray[np.intp], fn_weight: float, threshold: float
) -> ThresholdScore:
    """The raw score when every row with an anomaly score >= threshold is a detection (NAB's scoring step).

    `weights` is what a detection on each row is worth; `windows` numbers each row's window, unique across
    the pooled files, or -1 outside every window. A window scores the best weight among its detected rows
    (its earliest detection), or -fn_weight when none; detections outside windows add their weights.
    """
    detected = anomaly_scores >= threshold
    inside = windows >= 0
    numbers, window_of_row = np.unique(windows[inside], return_inverse=True)
    best = np.full(len(numbers), -fn_weight)
    caught = detected[inside]
    np.maximum.at(best, window_of_row[caught], weights[inside][caught])
    score = float(np.sum(weights[detected & ~inside]) + np.sum(best))
    tp = int(np.count_nonzero(caught))
    fp = int(np.count_nonzero(detected & ~inside))
    inside_rows = int(np.count_nonzero(inside))
    counts = Counts(tp=tp, tn=len(windows) - inside_rows - fp, fp=fp, fn=inside_rows - tp)
    return ThresholdScore(threshold=threshold, score=score, counts=counts)


def sweep(anomaly_scores: Floats, weights: Floats, windows: NDArray[np.intp], fn_weight: float) -> Sweep:
    """`score_at` for every distinct anomaly score at once (NAB's Sweeper.calcScoreByThreshold).

    Like NAB's sweeper it sorts the rows once, by descending anomaly score, and walks down the thresholds.
    """
    order = np.argsort(-anomaly_scores, kind="stable")
    ordered_scores = anomaly_scores[order]
    ordered_weights = weights[order]
    ordered_windows = windows[order]
    outside = ordered_windows < 0
    window_count = len(np.unique(ordered_windows[~outside]))

    # How much the total moves when each row, taken in descending anomaly score, becomes a detection.
    steps = np.where(outside, ordered_weights, 0.0)
    inside_positions = np.flatnonzero(~outside)
    # Each window's rows in detection order; a row moves the total by how much it raises its window's best.
    grouped = inside_positions[np.argsort(ordered_windows[inside_positions], kind="stable")]
    boundaries = np.flatnonzero(np.diff(ordered_windows[grouped])) + 1
    for rows in np.split(grouped, boundaries):
        best = np.maximum.accumulate(np.maximum(ordered_weights[rows], -fn_weight))
        steps[rows] = np.diff(best, prepend=-fn_weight)
    totals = -fn_weight * window_count + np.cumsum(steps)

    # A threshold's score counts every row at or above it: read the totals where the anomaly score changes.
    last_of_each_score = np.flatnonzero(np.append(ordered_scores[1:] != ordered_scores[:-1], True))
    thresholds = ordered_scores[last_of_each_score]
    scores = totals[last_of_each_score]
    tp = np.cumsum(~outside, dtype=np.int64)[last_of_each_score]
    fp = np.cumsum(outside, dtype=np.int64)[last_of_each_score]
    if len(ordered_scores) == 0 or ordered_scores[0] != START_THRESHOLD:
        thresholds = np.insert(thresholds, 0, START_THRESHOLD)
        scores = np.insert(scores, 0, -fn_weight * window_count)
        tp = np.insert(tp, 0, 0)
        fp = np.insert(fp, 0, 0)
    return Sweep(
        thresholds=thresholds,
        scores=scores,
        tp=tp,
        fp=fp,
        inside_rows=int(np.count_nonzero(~outside)),
        outside_rows=int(np.count_nonzero(outside)),
    )
