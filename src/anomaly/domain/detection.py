"""What a request counts as anomalous: the band's width, the side(s) tested and the alert level.

Each kind reads a `Threshold` its own way (see its module); a field left None takes the kind's
default, so that a gaussian model keeps the seed's one-sided rule while other kinds test both sides.
"""

import enum
import math
from dataclasses import dataclass

import numpy as np

from anomaly.domain.errors import InvalidInput

DEFAULT_K = 3.0
MAX_K = 1e6
LARGEST = float(np.finfo(np.float64).max)


class Direction(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class Threshold:
    """What counts as anomalous, as a request asks it; None leaves the choice to the model's kind.

    `k` is the band's half-width in the model's scales (standard deviations for a gaussian model);
    `direction` the side(s) tested; `alert` the anomaly score from which a point is flagged, for
    kinds that flag on their anomaly score.
    """

    k: float = DEFAULT_K
    direction: Direction | None = None
    alert: float | None = None

    def __post_init__(self) -> None:
        if not math.isfinite(self.k) or not 0 <= self.k <= MAX_K:
            raise InvalidInput("k", f"must be a number from 0 to {MAX_K:g}, got {self.k!r}")
        if self.alert is not None and not (math.isfinite(self.alert) and 0 < self.alert <= 1):
            raise InvalidInput("alert", f"must be a number above 0 and at most 1, got {self.alert!r}")


def clip(value: float) -> float:
    """`value` within float64's finite range: bounds stay printable and keep their meaning (no
    finite value lies beyond the largest float)."""
    return min(max(value, -LARGEST), LARGEST)
