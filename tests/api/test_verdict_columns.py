"""Verdict columns are written a slice at a time, runs of equal items once each: the text must be
exactly what msgspec writes for the whole column."""

import msgspec
import numpy as np
import numpy.typing as npt
import pytest

from anomaly.adapters.http.responses.verdicts import POINTS_PER_SLICE, _items

RNG = np.random.default_rng(7)


@pytest.mark.parametrize(
    "column",
    [
        pytest.param(np.repeat(RNG.normal(size=2_000), 100), id="runs of a hundred (a seasonal band)"),
        pytest.param(RNG.normal(size=3 * POINTS_PER_SLICE + 5), id="no two equal (scores)"),
        pytest.param(np.zeros(POINTS_PER_SLICE + 1, dtype=bool), id="all false (flags)"),
        pytest.param(np.r_[np.full(100_000, np.nan), [1.5, -0.0, 0.0]], id="undefined scores, signed zeros"),
        pytest.param(np.repeat([1e308, -5e-324, 3.0], 40_000), id="extreme floats"),
        pytest.param(np.repeat([0.0, -0.0, np.nan, 0.0], 50), id="runs of signed zeros and undefined"),
        pytest.param(np.array([2.5]), id="one item"),
        pytest.param(np.array([], dtype=np.float64), id="none"),
    ],
)
def test_columns_are_written_as_msgspec_writes_them(column: npt.NDArray[np.float64]) -> None:
    assert b"".join(_items(column)) == msgspec.json.encode(column.tolist())[1:-1]
