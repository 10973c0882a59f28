"""NAB's per-row rules: the probationary period, the scaled sigmoid and what a detection on a row is worth."""

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from evaluate.nab.corpus import Floats, Profile, Timestamps, Window

# NAB's runner: the first 15% of each file, and never more than 15% of 5000 rows, is not scored.
PROBATION_PERCENT = 0.15
PROBATION_CAP_ROWS = 5000


def probation_length(row_count: int) -> float:
    """Rows at positions below this are probationary (NAB's util.getProbationPeriod, 750 at most)."""
    return min(math.floor(PROBATION_PERCENT * row_count), PROBATION_PERCENT * PROBATION_CAP_ROWS)


def scaled_sigmoid(position: Floats) -> Floats:
    """2·sigmoid(-5x) - 1: 0.987 at a window's left edge (x = -1), 0 at its right edge, -1 beyond x = 3."""
    # Clipping only keeps exp() finite; NAB pins every position past 3 to exactly -1 anyway.
    sigmoid = 1.0 / (1.0 + np.exp(5.0 * np.minimum(position, 3.0)))
    return np.where(position > 3.0, -1.0, 2.0 * sigmoid - 1.0)


# A detection at a window's left edge earns exactly tpWeight.
MAX_TRUE_POSITIVE = float(scaled_sigmoid(np.array(-1.0)))


@dataclass(frozen=True)
class RowLayout:
    """Where the scored rows of a file fall: they are the rows from `first_scored` on."""

    first_scored: int
    # The window (numbered within the file) holding each scored row; -1 outside every window.
    window: NDArray[np.intp]
    # NAB's unweighted score of a detection on each scored row, before the profile's weights.
    credit: Floats

    def weights(self, profile: Profile) -> Floats:
        """What a detection on each scored row adds under `profile` (inside a window, the window's score)."""
        inside = self.window >= 0
        # Same operation order as NAB's sweeper (credit * tpWeight / maxTP), for the same float results.
        return np.where(
            inside,
            self.credit * profile.tp_weight / MAX_TRUE_POSITIVE,
            self.credit * profile.fp_weight,
        )


def row_layout(timestamps: Timestamps, windows: tuple[Window, ...]) -> RowLayout:
    """NAB's Sweeper.calcSweepScore, vectorised: every row's window and unweighted score."""
    count = len(timestamps)
    window = np.full(count, -1, dtype=np.intp)
    # Before the first window, a detection is scored as if really far from any window.
    credit = np.full(count, -1.0, dtype=np.float64)
    edges = [(_only_row(timestamps, start), _only_row(timestamps, end)) for start, end in windows]
    previous_right = -1
    for number, (left, right) in enumerate(edges):
        if not previous_right < left <= right:
            raise ValueError(f"window {windows[number]} is empty, reversed or overlaps the one before it")
        if right - left < 1:
            # NAB places false positives after a window by dividing by its width minus one: not for one row.
            raise ValueError(f"window {windows[number]} holds a single row; NAB cannot score it")
        width = float(right - left + 1)
        inside = np.arange(left, right + 1)
        window[left : right + 1] = number
        # Rows count as in the window by position between its edge rows, as NAB walks the file.
        credit[left : right + 1] = scaled_sigmoid(-(right - inside + 1) / width)
        following = edges[number + 1][0] if number + 1 < len(edges) else count
        after = np.arange(right + 1, following)
        credit[right + 1 : following] = scaled_sigmoid(np.abs(right - after) / (width - 1))
        previous_right = right
    first = math.ceil(probation_length(count))
    return RowLayout(first_scored=first, window=window[first:], credit=credit[first:])


def _only_row(timestamps: Timestamps, stamp: np.datetime64) -> int:
    # NAB's labeler insists each window edge matches exactly one row of its file.
    matches = np.flatnonzero(timestamps == stamp)
    if len(matches) != 1:
        raise ValueError(f"window edge {stamp} matches {len(matches)} rows; NAB needs exactly one")
    return int(matches[0])
