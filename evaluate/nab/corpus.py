"""The NAB corpus on disk: its series, their anomaly windows and the application profiles."""

import csv
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

NAB_DIR_VARIABLE = "NAB_DIR"
# Microseconds: the windows are written as `YYYY-MM-DD HH:MM:SS.ffffff`, the series to the second.
TIMESTAMP_UNIT = "datetime64[us]"
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]

Timestamps = NDArray[np.datetime64]
Floats = NDArray[np.float64]


class Window(NamedTuple):
    """An anomaly window: the timestamps of its first and last rows, both inclusive."""

    start: np.datetime64
    end: np.datetime64


@dataclass(frozen=True)
class Series:
    """One data file: `name` is its path under `data/` (`realKnownCause/nyc_taxi.csv`), as NAB names it."""

    name: str
    timestamps: Timestamps
    values: Floats
    windows: tuple[Window, ...]


@dataclass(frozen=True)
class Profile:
    """An application profile's cost matrix (NAB never reads its tnWeight, so neither do we)."""

    name: str
    tp_weight: float
    fp_weight: float
    fn_weight: float


@dataclass(frozen=True)
class Corpus:
    """The series NAB scores, keyed by name, and the profiles it scores them under."""

    series: Mapping[str, Series]
    profiles: Mapping[str, Profile]

    @property
    def window_count(self) -> int:
        """Every labelled window, scorable or not: NAB's perfect detector earns tpWeight for each."""
        return sum(len(series.windows) for series in self.series.values())


def default_nab_dir() -> Path:
    """$NAB_DIR when set, else `../shared/nab` beside the repository (where CI puts it)."""
    configured = os.environ.get(NAB_DIR_VARIABLE)
    if configured:
        return Path(configured)
    return REPOSITORY_ROOT.parent / "shared" / "nab"


def load_corpus(nab_dir: Path | None = None) -> Corpus:
    """Every series named in `labels/combined_windows.json`, with its windows, and every profile."""
    root = default_nab_dir() if nab_dir is None else nab_dir
    windows_by_name: dict[str, list[list[str]]] = json.loads(
        (root / "labels" / "combined_windows.json").read_text(encoding="utf-8")
    )
    series: dict[str, Series] = {}
    for name, windows in sorted(windows_by_name.items()):
        timestamps, values = read_timestamped_column(root / "data" / name, "value")
        series[name] = Series(
            name=name,
            timestamps=timestamps,
            values=values,
            windows=tuple(Window(parse_timestamp(start), parse_timestamp(end)) for start, end in windows),
        )
    return Corpus(series=series, profiles=load_profiles(root / "config" / "profiles.json"))


def load_profiles(path: Path) -> dict[str, Profile]:
    raw: dict[str, dict[str, dict[str, float]]] = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: Profile(
            name=name,
            tp_weight=float(entry["CostMatrix"]["tpWeight"]),
            fp_weight=float(entry["CostMatrix"]["fpWeight"]),
            fn_weight=float(entry["CostMatrix"]["fnWeight"]),
        )
        for name, entry in raw.items()
    }


def read_timestamped_column(path: Path, column: str) -> tuple[Timestamps, Floats]:
    """The `timestamp` column and one numeric column of a NAB CSV, in file order."""
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        header = next(reader)
        try:
            position = header.index(column)
            stamp_position = header.index("timestamp")
        except ValueError:
            raise ValueError(f"{path}: expected columns timestamp and {column}, found {header}") from None
        rows = [(row[stamp_position], row[position]) for row in reader if row]
    stamps = np.array([stamp for stamp, _ in rows], dtype=TIMESTAMP_UNIT)
    numbers = np.array([float(number) for _, number in rows], dtype=np.float64)
    return stamps, numbers


def parse_timestamp(text: str) -> np.datetime64:
    # NAB compares windows with rows as datetimes, not strings: `2014-04-10 07:15:00.000000` in the labels
    # is the row `2014-04-10 07:15:00`.
    return np.datetime64(text.replace(" ", "T", 1), "us")
