"""A detector's NAB scores: one file at a threshold, the corpus-wide optimum per profile, normalised."""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from evaluate.nab.corpus import TIMESTAMP_UNIT, Corpus, Floats, Profile, Series
from evaluate.nab.rules import RowLayout, row_layout
from evaluate.nab.thresholds import Counts, ThresholdScore, score_at, sweep

# NAB's null detector: the same score on every row, so the best it can do is detect nothing.
NULL_ANOMALY_SCORE = 0.5

# A detector's output for one file: a timestamp and an anomaly score per row of the series.
DetectorOutput = tuple[ArrayLike, ArrayLike]


@dataclass(frozen=True)
class ProfileScore:
    """A detector's result under one profile: its threshold, raw score and NAB score (null 0, perfect 100)."""

    profile: str
    threshold: float
    raw: float
    null: float
    perfect: float
    normalised: float
    counts: Counts


@dataclass(frozen=True)
class PooledRows:
    """The scored rows of every file, end to end, with what a detection on each is worth under a profile."""

    anomaly_scores: Floats
    weights: Floats
    # Each row's window, numbered across files so that every file's windows stay distinct; -1 outside.
    windows: NDArray[np.intp]
    fn_weight: float

    def best(self) -> ThresholdScore:
        """NAB's optimizer: the threshold with the best raw score over all files together."""
        return sweep(self.anomaly_scores, self.weights, self.windows, self.fn_weight).best()

    def at(self, threshold: float) -> ThresholdScore:
        """NAB's scoring step: the raw score, summed over files, at a given threshold."""
        return score_at(self.anomaly_scores, self.weights, self.windows, self.fn_weight, threshold)


def score_detector(scores_by_file: Mapping[str, DetectorOutput], corpus: Corpus) -> dict[str, float]:
    """The NAB score per profile (null detector 0, perfect detector 100), as in final_results.json."""
    return {name: result.normalised for name, result in evaluate_detector(scores_by_file, corpus).items()}


def evaluate_detector(
    scores_by_file: Mapping[str, DetectorOutput],
    corpus: Corpus,
    thresholds: Mapping[str, float] | None = None,
) -> dict[str, ProfileScore]:
    """Per profile: one threshold for the whole corpus, its raw score, and that score normalised.

    `scores_by_file` holds, for every series of the corpus by name, the detector's timestamps (the series'
    own, as datetime64, datetime or ISO text, not epoch numbers) and one anomaly score per row. The threshold
    is the corpus-wide optimum unless `thresholds` gives one per profile (as NAB's `--score` step reads
    config/thresholds.json).
    """
    missing = sorted(set(corpus.series) - set(scores_by_file))
    unknown = sorted(set(scores_by_file) - set(corpus.series))
    if missing or unknown:
        raise ValueError(f"scores must cover the corpus exactly; missing {missing}, unknown {unknown}")
    layouts = {name: row_layout(series.timestamps, series.windows) for name, series in corpus.series.items()}
    scores = {name: _aligned(series, scores_by_file[name]) for name, series in corpus.series.items()}
    null_scores = {
        name: np.full(len(series.timestamps), NULL_ANOMALY_SCORE) for name, series in corpus.series.items()
    }
    results: dict[str, ProfileScore] = {}
    for name, profile in corpus.profiles.items():
        rows = pool_rows(scores, layouts, profile)
        result = rows.best() if thresholds is None else rows.at(thresholds[name])
        null = pool_rows(null_scores, layouts, profile).best().score
        # NAB's runner: a perfect detector catches every labelled window at its left edge.
        perfect = corpus.window_count * profile.tp_weight
        results[name] = ProfileScore(
            profile=name,
            threshold=result.threshold,
            raw=result.score,
            null=null,
            perfect=perfect,
            normalised=normalise(result.score, null=null, perfect=perfect),
            counts=result.counts,
        )
    return results


def pool_rows(scores: Mapping[str, Floats], layouts: Mapping[str, RowLayout], profile: Profile) -> PooledRows:
    """Every file's scored rows end to end, as NAB's optimizer pools them before its one sweep."""
    anomaly_scores: list[Floats] = []
    weights: list[Floats] = []
    windows: list[NDArray[np.intp]] = []
    offset = 0
    for name, layout in layouts.items():
        anomaly_scores.append(scores[name][layout.first_scored :])
        weights.append(layout.weights(profile))
        windows.append(np.where(layout.window >= 0, layout.window + offset, -1))
        offset += int(layout.window.max(initial=-1)) + 1
    return PooledRows(
        anomaly_scores=np.concatenate(anomaly_scores),
        weights=np.concatenate(weights),
        windows=np.concatenate(windows),
        fn_weight=profile.fn_weight,
    )


def score_file(
    series: Series, anomaly_scores: ArrayLike, profile: Profile, threshold: float
) -> ThresholdScore:
    """One file's raw score and row counts when every scored row scoring >= threshold is a detection."""
    layout = row_layout(series.timestamps, series.windows)
    scores = _as_scores(anomaly_scores, len(series.timestamps), series.name)
    return pool_rows({series.name: scores}, {series.name: layout}, profile).at(threshold)


def normalise(raw: float, *, null: float, perfect: float) -> float:
    """NAB's runner.normalize: 100 · (raw - null) / (perfect - null), unrounded as in final_results.json."""
    return 100.0 * (raw - null) / (perfect - null)


def _aligned(series: Series, output: DetectorOutput) -> Floats:
    timestamps = np.asarray(output[0], dtype=TIMESTAMP_UNIT)
    # NAB pairs scores with the data file's rows by position; insist they are the same rows.
    if timestamps.shape != series.timestamps.shape or not np.array_equal(timestamps, series.timestamps):
        raise ValueError(f"{series.name}: the detector's timestamps are not the series' own")
    return _as_scores(output[1], len(series.timestamps), series.name)


def _as_scores(anomaly_scores: ArrayLike, row_count: int, name: str) -> Floats:
    scores = np.asarray(anomaly_scores, dtype=np.float64)
    if scores.shape != (row_count,):
        raise ValueError(f"{name}: {scores.shape} anomaly scores for {row_count} rows")
    if not np.isfinite(scores).all():
        raise ValueError(f"{name}: anomaly scores must be finite")
    return scores
