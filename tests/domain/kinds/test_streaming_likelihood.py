"""The Gaussian tails behind the scores: the scalar forms (one point) equal the array forms (a batch)
bit for bit, and both are the tails they claim to be."""

import math

import numpy as np
import pytest

from anomaly.domain.kinds.streaming.likelihood import (
    LN10,
    SQRT2,
    surprise,
    surprise_into,
    upper_tail,
    upper_tail_into,
)

CAP = 20.0


def arguments() -> np.ndarray:
    rng = np.random.default_rng(3)
    return np.concatenate(
        [rng.uniform(0.0, 12.0, 200_000), rng.exponential(1.0, 100_000), [0.0, 1e-300, 40.0]]
    )


def test_the_scalar_surprise_equals_the_array_surprise_bit_for_bit() -> None:
    a = arguments()
    out = np.empty_like(a)
    surprise_into(a.copy(), np.empty_like(a), out, CAP)
    scalar = np.array([surprise(value, CAP) for value in a.tolist()])
    np.testing.assert_array_equal(scalar, out)


def test_the_scalar_upper_tail_equals_the_array_upper_tail_bit_for_bit() -> None:
    z = np.concatenate([arguments(), -arguments()[:1000]])
    out = np.empty_like(z)
    upper_tail_into(z.copy(), np.empty_like(z), out)
    scalar = np.array([upper_tail(value) for value in z.tolist()])
    np.testing.assert_array_equal(scalar, out)


@pytest.mark.parametrize("z", [0.5, 1.0, 2.0, 3.0, 5.0])
def test_the_tails_are_gaussian_tails(z: float) -> None:
    two_sided = math.erfc(z / SQRT2)
    assert surprise(z / SQRT2, CAP) == pytest.approx(-math.log10(two_sided), rel=1e-6)
    assert upper_tail(z) == pytest.approx(-math.log10(two_sided / 2), rel=1e-6)
    assert surprise(100.0, CAP) == CAP
    assert upper_tail(-3.0) == upper_tail(0.0) == pytest.approx(math.log(2.0) / LN10, rel=1e-6)
