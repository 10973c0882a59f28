"""NAB's scoring rules: the published scoreboard reproduced, NAB's own sweeper matched, the rules by hand."""

import math
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluate.nab.corpus import (
    Corpus,
    Floats,
    Profile,
    Series,
    Timestamps,
    Window,
    load_corpus,
)
from evaluate.nab.published import load_published_scores, load_published_thresholds, load_scoreboard
from evaluate.nab.rules import row_layout
from evaluate.nab.scoring import evaluate_detector, pool_rows, score_detector, score_file
from evaluate.nab.thresholds import sweep
from tests.support.nab import require_nab

PUBLISHED_DETECTORS = ("windowedGaussian", "numenta")
PROFILES = {"standard", "reward_low_FP_rate", "reward_low_FN_rate"}
STANDARD = Profile("standard", tp_weight=1.0, fp_weight=0.11, fn_weight=1.0)
LOW_FN = Profile("reward_low_FN_rate", tp_weight=1.0, fp_weight=0.11, fn_weight=2.0)
UNIT = Profile("unit", tp_weight=1.0, fp_weight=1.0, fn_weight=1.0)

DetectorScores = dict[str, tuple[Timestamps, Floats]]


@pytest.fixture(scope="module")
def nab_dir() -> Path:
    return require_nab()


@pytest.fixture(scope="module")
def corpus(nab_dir: Path) -> Corpus:
    return load_corpus(nab_dir)


@pytest.fixture(scope="module")
def published(nab_dir: Path) -> dict[str, DetectorScores]:
    return {detector: load_published_scores(detector, nab_dir) for detector in PUBLISHED_DETECTORS}


# The published scoreboard


def test_the_corpus_is_nab_58_series_116_windows_and_3_profiles(corpus: Corpus) -> None:
    assert len(corpus.series) == 58
    assert corpus.window_count == 116
    assert set(corpus.profiles) == PROFILES
    assert corpus.profiles["reward_low_FN_rate"] == Profile("reward_low_FN_rate", 1.0, 0.11, 2.0)


@pytest.mark.parametrize("detector", PUBLISHED_DETECTORS)
def test_the_threshold_sweep_reproduces_the_published_scoreboard(
    detector: str, corpus: Corpus, published: dict[str, DetectorScores], nab_dir: Path
) -> None:
    scores = score_detector(published[detector], corpus)

    assert set(scores) == PROFILES
    assert scores == pytest.approx(load_scoreboard(nab_dir)[detector], abs=0.2)


@pytest.mark.parametrize("detector", PUBLISHED_DETECTORS)
def test_at_the_published_thresholds_the_scoreboard_is_reproduced_to_the_last_digits(
    detector: str, corpus: Corpus, published: dict[str, DetectorScores], nab_dir: Path
) -> None:
    # The published numenta reward_low_FP_rate threshold predates NAB's exhaustive sweep (an older local
    # search chose it); scored at the thresholds NAB used, every figure agrees to float precision.
    results = evaluate_detector(published[detector], corpus, load_published_thresholds(detector, nab_dir))

    normalised = {profile: result.normalised for profile, result in results.items()}
    assert normalised == pytest.approx(load_scoreboard(nab_dir)[detector], abs=1e-6)


def test_the_optimum_is_the_sum_of_the_files_scores_and_no_published_threshold_beats_it(
    corpus: Corpus, published: dict[str, DetectorScores], nab_dir: Path
) -> None:
    scores = published["numenta"]
    optimised = evaluate_detector(scores, corpus)
    fixed = evaluate_detector(scores, corpus, load_published_thresholds("numenta", nab_dir))

    for name, result in optimised.items():
        profile = corpus.profiles[name]
        per_file = [
            score_file(series, scores[series.name][1], profile, result.threshold)
            for series in corpus.series.values()
        ]
        assert math.fsum(file.score for file in per_file) == pytest.approx(result.raw, abs=1e-9)
        assert sum(file.counts.tp for file in per_file) == result.counts.tp
        assert result.raw >= fixed[name].raw - 1e-9
        assert result.null == -profile.fn_weight * corpus.window_count


# The rules on hand-made windows: 100 rows, so the first 15 are probationary.

ROWS = 100
START = np.datetime64("2024-01-01T00:00:00", "us")


def stamps(count: int = ROWS) -> Timestamps:
    return START + np.arange(count) * np.timedelta64(5, "m")


def series_with(windows: Sequence[tuple[int, int]], count: int = ROWS, name: str = "hand/made.csv") -> Series:
    timestamps = stamps(count)
    return Series(
        name=name,
        timestamps=timestamps,
        values=np.zeros(count),
        windows=tuple(Window(timestamps[left], timestamps[right]) for left, right in windows),
    )


def detections(*rows: int, count: int = ROWS) -> Floats:
    scores = np.zeros(count)
    scores[list(rows)] = 1.0
    return scores


def raw(series: Series, scores: Floats, profile: Profile = STANDARD) -> float:
    return score_file(series, scores, profile, threshold=0.5).score


ONE_WINDOW = series_with([(40, 49)])


def test_an_early_detection_scores_more_than_a_late_one_and_the_left_edge_earns_the_tp_weight() -> None:
    first, middle, last = (
        raw(ONE_WINDOW, detections(40)),
        raw(ONE_WINDOW, detections(45)),
        raw(ONE_WINDOW, detections(49)),
    )

    assert first == pytest.approx(1.0)
    assert first > middle > last > 0.0


def test_a_window_counts_once_for_its_earliest_detection() -> None:
    assert raw(ONE_WINDOW, detections(42, 43, 48)) == raw(ONE_WINDOW, detections(42))


def test_a_detection_in_no_window_costs_the_fp_weight() -> None:
    missed = -STANDARD.fn_weight

    assert raw(ONE_WINDOW, detections(40, 20)) == pytest.approx(1.0 - STANDARD.fp_weight)
    assert raw(series_with([]), detections(20, 30)) == pytest.approx(-2 * STANDARD.fp_weight)
    # More than three window widths past the window, a false positive costs the full weight ...
    assert raw(ONE_WINDOW, detections(90)) == pytest.approx(missed - STANDARD.fp_weight)
    # ... and right after it, less: the sigmoid forgives detections that come a little late.
    assert (
        missed - STANDARD.fp_weight
        < raw(ONE_WINDOW, detections(52))
        < raw(ONE_WINDOW, detections(50))
        < missed
    )


def test_a_missed_window_costs_the_fn_weight() -> None:
    two_windows = series_with([(30, 39), (60, 69)])

    assert raw(two_windows, np.zeros(ROWS)) == -2.0
    assert raw(two_windows, np.zeros(ROWS), LOW_FN) == -4.0
    assert raw(two_windows, detections(30), LOW_FN) == pytest.approx(1.0 - 2.0)


def test_rows_at_window_edges_belong_to_the_window() -> None:
    assert raw(ONE_WINDOW, detections(49)) > 0.0
    assert raw(ONE_WINDOW, detections(39)) == pytest.approx(-1.0 - STANDARD.fp_weight)
    assert raw(ONE_WINDOW, detections(50)) < -1.0


def test_the_probationary_period_is_not_scored() -> None:
    # 15% of 100 rows: rows 0-14. A window wholly inside it is neither caught nor missed.
    early_window = series_with([(5, 10)])

    assert raw(ONE_WINDOW, detections(0, 14)) == -1.0
    assert raw(early_window, np.zeros(ROWS)) == 0.0
    assert raw(early_window, detections(10)) == 0.0


def test_the_probationary_period_is_15_percent_and_at_most_750_rows() -> None:
    assert row_layout(stamps(100), ()).first_scored == 15
    assert row_layout(stamps(4999), ()).first_scored == 749
    assert row_layout(stamps(20000), ()).first_scored == 750


def test_nab_own_scorer_case_with_every_outcome() -> None:
    # NAB's tests/integration/scorer_test.py testScoringAllMetrics: windows at rows 30-34 and 65-69,
    # detections at 30, 31 and 37, all weights 1. NAB tests it with no probation, so its 89 true negatives
    # include the 15 rows that are probationary here.
    result = score_file(series_with([(30, 34), (65, 69)]), detections(30, 31, 37), UNIT, threshold=0.5)

    assert result.score == pytest.approx(-0.9540, abs=1e-4)
    assert (result.counts.tp, result.counts.fp, result.counts.fn, result.counts.tn) == (2, 1, 8, 89 - 15)


def test_the_null_detector_normalises_to_0_and_a_perfect_detector_to_100() -> None:
    corpus = Corpus(
        series={
            "a/one.csv": series_with([(30, 39), (70, 79)], name="a/one.csv"),
            "a/two.csv": series_with([(50, 59)], count=200, name="a/two.csv"),
            "b/none.csv": series_with([], name="b/none.csv"),
        },
        profiles={profile.name: profile for profile in (STANDARD, LOW_FN)},
    )
    perfect = {
        "a/one.csv": (stamps(), detections(30, 70)),
        "a/two.csv": (stamps(200), detections(50, count=200)),
        "b/none.csv": (stamps(), np.zeros(ROWS)),
    }
    null = {
        name: (series.timestamps, np.full(len(series.timestamps), 0.5))
        for name, series in corpus.series.items()
    }

    assert score_detector(null, corpus) == pytest.approx({"standard": 0.0, "reward_low_FN_rate": 0.0})
    assert score_detector(perfect, corpus) == pytest.approx({"standard": 100.0, "reward_low_FN_rate": 100.0})


def test_scores_must_cover_the_corpus_on_the_series_own_timestamps() -> None:
    corpus = Corpus(
        series={"a/one.csv": series_with([(30, 39)], name="a/one.csv")}, profiles={"standard": STANDARD}
    )

    with pytest.raises(ValueError, match="missing"):
        score_detector({}, corpus)
    with pytest.raises(ValueError, match="timestamps"):
        score_detector({"a/one.csv": (stamps() + np.timedelta64(1, "s"), np.zeros(ROWS))}, corpus)
    with pytest.raises(ValueError, match="anomaly scores"):
        score_detector({"a/one.csv": (stamps(), np.zeros(ROWS - 1))}, corpus)


def test_timestamps_compare_as_times_not_strings() -> None:
    # The labels write `2024-01-01 03:20:00.000000`; the series and a detector write `2024-01-01 03:20:00`.
    series = series_with([(40, 49)], name="a/one.csv")
    corpus = Corpus(series={"a/one.csv": series}, profiles={"standard": STANDARD})
    texts = [str(stamp).replace("T", " ").removesuffix(".000000") for stamp in series.timestamps]

    assert texts[40] == "2024-01-01 03:20:00"
    assert score_detector({"a/one.csv": (texts, detections(40))}, corpus)["standard"] == pytest.approx(100.0)


# NAB's own sweeper, transcribed line by line (nab/sweeper.py at ea702d7), against the vectorised sweep.


NabRow = tuple[float, float, str | None]


def nab_scaled_sigmoid(position: float) -> float:
    return -1.0 if position > 3.0 else 2 * (1 / (1 + math.exp(5 * position))) - 1.0


def nab_calc_sweep_score(
    name: str,
    timestamps: list[datetime],
    scores: list[float],
    windows: list[tuple[datetime, datetime]],
    profile: Profile,
) -> list[NabRow]:
    """Sweeper.calcSweepScore, with the probationary rows already dropped: (score, weighted, window)."""
    limits = list(windows)
    max_tp = nab_scaled_sigmoid(-1.0)
    probation = min(math.floor(0.15 * len(timestamps)), 0.15 * 5000)
    current: tuple[datetime, datetime] | None = None
    window_name: str | None = None
    right = width = previous_right = previous_width = 0
    after_window = False
    rows: list[NabRow] = []
    for i, (time, score) in enumerate(zip(timestamps, scores, strict=True)):
        if limits and time == limits[0][0]:
            current = limits.pop(0)
            window_name = f"{name}|{current[0]}"
            right = timestamps.index(current[1])
            width = right - timestamps.index(current[0]) + 1
        if current is not None:
            weighted = nab_scaled_sigmoid(-(right - i + 1) / width) * profile.tp_weight / max_tp
        elif not after_window:
            weighted = -1.0 * profile.fp_weight
        else:
            weighted = nab_scaled_sigmoid(abs(previous_right - i) / (previous_width - 1)) * profile.fp_weight
        if i >= probation:
            rows.append((score, weighted, window_name))
        if current is not None and time == current[1]:
            previous_right, previous_width, after_window = i, width, True
            current, window_name = None, None
    return rows


def nab_calc_score_by_threshold(rows: list[NabRow], profile: Profile) -> list[tuple[float, float]]:
    """Sweeper.calcScoreByThreshold: (threshold, score) pairs, highest threshold first."""
    scorable = sorted(rows, key=lambda row: row[0], reverse=True)
    parts: dict[str | None, float] = {"fp": 0.0}
    for _, _, window_name in scorable:
        if window_name is not None:
            parts[window_name] = -profile.fn_weight
    result: list[tuple[float, float]] = []
    threshold = 1.1
    for score, weighted, window_name in scorable:
        if score != threshold:
            result.append((threshold, sum(parts.values())))
            threshold = score
        if window_name is None:
            parts["fp"] += weighted
        else:
            parts[window_name] = max(parts[window_name], weighted)
    result.append((threshold, sum(parts.values())))
    return result


def as_datetime(stamp: np.datetime64) -> datetime:
    value = stamp.item()
    assert isinstance(value, datetime)
    return value


@st.composite
def hand_made_files(draw: st.DrawFn) -> list[tuple[Series, Floats]]:
    files = []
    for number in range(draw(st.integers(1, 3))):
        count = draw(st.integers(8, 120))
        edges = sorted(draw(st.lists(st.integers(0, count - 1), max_size=6, unique=True)))
        pairs = [(edges[i], edges[i + 1]) for i in range(0, len(edges) - 1, 2)]
        # Few distinct scores, so that many rows share a threshold as in real detectors' output.
        scores = draw(
            st.lists(st.sampled_from([0.0, 0.2, 0.5, 0.5001, 0.9, 1.0]), min_size=count, max_size=count)
        )
        files.append((series_with(pairs, count=count, name=f"f/{number}.csv"), np.array(scores)))
    return files


@settings(max_examples=150, deadline=None)
@given(files=hand_made_files(), profile=st.sampled_from([STANDARD, LOW_FN, UNIT]))
def test_the_vectorised_sweep_matches_nab_sweeper_threshold_by_threshold(
    files: list[tuple[Series, Floats]], profile: Profile
) -> None:
    layouts = {series.name: row_layout(series.timestamps, series.windows) for series, _ in files}
    rows = pool_rows({series.name: scores for series, scores in files}, layouts, profile)
    ours = sweep(rows.anomaly_scores, rows.weights, rows.windows, rows.fn_weight)
    nab_rows = [
        row
        for series, scores in files
        for row in nab_calc_sweep_score(
            series.name,
            series.timestamps.tolist(),
            scores.tolist(),
            [(as_datetime(window.start), as_datetime(window.end)) for window in series.windows],
            profile,
        )
    ]

    expected = nab_calc_score_by_threshold(nab_rows, profile)

    assert ours.thresholds.tolist() == [threshold for threshold, _ in expected]
    assert ours.scores.tolist() == pytest.approx([score for _, score in expected], abs=1e-9)
    best = max(range(len(expected)), key=lambda index: (expected[index][1], -index))
    assert rows.best().threshold == expected[best][0]
