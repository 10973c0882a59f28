"""NAB's published results: detectors' per-file anomaly scores and the normalised scoreboard."""

import json
from pathlib import Path

from evaluate.nab.corpus import Floats, Timestamps, default_nab_dir, read_timestamped_column


def load_published_scores(detector: str, nab_dir: Path | None = None) -> dict[str, tuple[Timestamps, Floats]]:
    """`results/<detector>/<category>/<detector>_<name>.csv`, keyed by the series name `<category>/<name>`."""
    root = (default_nab_dir() if nab_dir is None else nab_dir) / "results" / detector
    prefix = f"{detector}_"
    scores: dict[str, tuple[Timestamps, Floats]] = {}
    # Only category folders hold per-file results; NAB's own `<detector>_<profile>_scores.csv` summaries
    # sit beside them (and scorer.py skips any name containing `_scores.csv`).
    for path in sorted(root.glob(f"*/{prefix}*.csv")):
        if "_scores.csv" in path.name:
            continue
        name = f"{path.parent.name}/{path.name.removeprefix(prefix)}"
        scores[name] = read_timestamped_column(path, "anomaly_score")
    if not scores:
        raise FileNotFoundError(f"no per-file results for {detector} under {root}")
    return scores


def load_scoreboard(nab_dir: Path | None = None) -> dict[str, dict[str, float]]:
    """`results/final_results.json`: the normalised score of each detector under each profile."""
    root = default_nab_dir() if nab_dir is None else nab_dir
    board: dict[str, dict[str, float]] = json.loads(
        (root / "results" / "final_results.json").read_text(encoding="utf-8")
    )
    return board


def load_published_thresholds(detector: str, nab_dir: Path | None = None) -> dict[str, float]:
    """`config/thresholds.json`: the threshold per profile that NAB's scoring step used for `detector`."""
    root = default_nab_dir() if nab_dir is None else nab_dir
    table: dict[str, dict[str, dict[str, float]]] = json.loads(
        (root / "config" / "thresholds.json").read_text(encoding="utf-8")
    )
    return {profile: float(entry["threshold"]) for profile, entry in table[detector].items()}
