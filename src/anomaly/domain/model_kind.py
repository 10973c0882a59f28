"""The seam every model kind plugs into: fit a batch, judge points, fold new points in, be stored.

A kind is one module under `domain/kinds/` that provides a `ModelKind` (its name, its parameters'
rules, `fit` and `restore`) and the `Model` it fits; `domain/kinds/__init__.py` lists the kinds.
Use cases and adapters only ever hold a `Model`, so a new kind changes nothing outside its module.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from anomaly.domain.detection import Threshold, clip
from anomaly.domain.time_series import TimeSeries, Timestamps, Values

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
# JSON values only: what a kind's parameters and state are made of.
Document = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ModelSummary:
    """What the registry keeps of any model beside its artifact, and lists without reading it.

    `mean` and `std` are the model's centre and spread: a gaussian model's mean and population
    standard deviation; for other kinds their overall level and its scale (the standard deviation
    of a normal distribution with the same spread).
    """

    points_used: int  # every point the model has learnt from, across updates
    first_timestamp: int
    last_timestamp: int
    minimum: float
    maximum: float
    mean: float
    std: float

    def band(self, k: float) -> tuple[float, float]:
        """`mean -/+ k * std`, within float64's range: the model's overall band."""
        reach = k * self.std
        return clip(self.mean - reach), clip(self.mean + reach)


class Judgement(NamedTuple):
    """Verdicts on a batch, as columns aligned with its points, each judged at its own time.

    `expected`, `lower` and `upper` are finite; `score` is the kind's raw score (NaN where it is
    undefined); `anomaly_score` is in [0, 1], monotone in how unusual the point is, never NaN.
    """

    expected: Floats
    lower: Floats
    upper: Floats
    score: Floats
    anomaly_score: Floats
    anomaly: Bools

    @property
    def flagged(self) -> int:
        return int(np.count_nonzero(self.anomaly))


class PointJudgement(NamedTuple):
    """The verdict on one point: `Judgement`'s columns as plain floats; `score` None where undefined."""

    expected: float
    lower: float
    upper: float
    score: float | None
    anomaly_score: float
    anomaly: bool


class Band(NamedTuple):
    """What a model considers normal at each of some times: the expected value and its bounds."""

    expected: Floats
    lower: Floats
    upper: Floats


class Model(Protocol):
    """A fitted model of one kind: immutable; `updated` returns a new one."""

    @property
    def kind(self) -> str: ...

    @property
    def parameters(self) -> Document:
        """The kind's parameters, every one spelt out (defaults included), as JSON values."""
        ...

    def summary(self) -> ModelSummary: ...

    def describe(self) -> Document:
        """The model's state as a client may read it (JSON values): what a version's page shows."""
        ...

    def judge(self, timestamps: Timestamps, values: Values, threshold: Threshold) -> Judgement:
        """Judge a batch, every point against the model as it is (the batch is not learnt)."""
        ...

    def judge_point(self, timestamp: int, value: float, threshold: Threshold) -> PointJudgement:
        """`judge` for one point, in plain floats: a predict must not pay for arrays."""
        ...

    def band(self, timestamps: Timestamps, threshold: Threshold) -> Band:
        """The band at these times, as `judge` would draw it (for a plot)."""
        ...

    def updated(self, timestamps: Timestamps, values: Values) -> "Model":
        """A model that has also learnt these points, in the order given (timestamps may repeat or
        step back). Costs O(len(values)), whatever the model has learnt before."""
        ...

    def state(self) -> Document:
        """Everything `ModelKind.restore` needs to rebuild this model exactly, as JSON values."""
        ...


class ModelKind(Protocol):
    @property
    def name(self) -> str: ...

    def fit(self, series: TimeSeries, parameters: Mapping[str, object]) -> Model:
        """A model of `series`; `parameters` as the client gave them (unknown or invalid ones raise
        `InvalidInput` naming `parameters.<name>`)."""
        ...

    def restore(self, parameters: Document, state: Document) -> Model:
        """The model `Model.parameters` and `Model.state` describe; raises ValueError, TypeError or
        KeyError if they do not describe one."""
        ...
