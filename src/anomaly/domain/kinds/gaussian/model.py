"""The `gaussian` kind: the seed's model, the mean and population standard deviation of the batch.

Its one parameter, `half_life`, is how an update forgets: absent (null), an update gives exactly
the moments of every point learnt; with it, the past's weight halves every `half_life` new points.
"""

from collections.abc import Mapping

import numpy as np

from anomaly.domain.detection import Threshold
from anomaly.domain.errors import InvalidInput
from anomaly.domain.kinds.gaussian import rule
from anomaly.domain.kinds.gaussian.state import GaussianState, fit, merged
from anomaly.domain.kinds.stored import MAX_HALF_LIFE, finite_number, int64
from anomaly.domain.model_kind import Band, Document, Judgement, Model, ModelSummary, PointJudgement
from anomaly.domain.time_series import TimeSeries, Timestamps, Values

NAME = "gaussian"


class GaussianModel:
    __slots__ = ("_half_life", "_state")

    def __init__(self, state: GaussianState, half_life: float | None) -> None:
        self._state = state
        self._half_life = half_life

    @property
    def kind(self) -> str:
        return NAME

    @property
    def parameters(self) -> Document:
        return {"half_life": self._half_life}

    @property
    def statistics(self) -> GaussianState:
        return self._state

    def summary(self) -> ModelSummary:
        state = self._state
        return ModelSummary(
            points_used=state.points_used,
            first_timestamp=state.first_timestamp,
            last_timestamp=state.last_timestamp,
            minimum=state.minimum,
            maximum=state.maximum,
            mean=state.mean,
            std=state.std,
        )

    def describe(self) -> Document:
        state = self._state
        return {
            "mean": state.mean,
            "std": state.std,
            "points_used": state.points_used,
            "minimum": state.minimum,
            "maximum": state.maximum,
            "first_timestamp": state.first_timestamp,
            "last_timestamp": state.last_timestamp,
        }

    def judge(self, timestamps: Timestamps, values: Values, threshold: Threshold) -> Judgement:
        state = self._state
        lower, upper = rule.bounds(state, threshold.k)
        count = values.shape[0]
        z = rule.scores(state, values)
        # The band is the same at every time: read-only views of one number, not three arrays to fill.
        return Judgement(
            expected=np.broadcast_to(np.float64(state.mean), count),
            lower=np.broadcast_to(np.float64(lower), count),
            upper=np.broadcast_to(np.float64(upper), count),
            score=z,
            anomaly_score=rule.anomaly_scores(state, values, z),
            anomaly=rule.flagged_many(values, lower, upper, threshold.direction),
        )

    def judge_point(self, timestamp: int, value: float, threshold: Threshold) -> PointJudgement:
        state = self._state
        lower, upper = rule.bounds(state, threshold.k)
        z = rule.score(state, value)
        return PointJudgement(
            expected=state.mean,
            lower=lower,
            upper=upper,
            score=z,
            anomaly_score=rule.anomaly_score(state, value, z),
            anomaly=rule.flagged(value, lower, upper, threshold.direction),
        )

    def band(self, timestamps: Timestamps, threshold: Threshold) -> Band:
        lower, upper = rule.bounds(self._state, threshold.k)
        count = timestamps.shape[0]
        return Band(
            np.broadcast_to(np.float64(self._state.mean), count),
            np.broadcast_to(np.float64(lower), count),
            np.broadcast_to(np.float64(upper), count),
        )

    def updated(self, timestamps: Timestamps, values: Values) -> Model:
        return GaussianModel(merged(self._state, timestamps, values, self._half_life), self._half_life)

    def state(self) -> Document:
        return {**self.describe(), "weight": self._state.weight}


class GaussianKind:
    @property
    def name(self) -> str:
        return NAME

    def fit(self, series: TimeSeries, parameters: Mapping[str, object]) -> Model:
        return GaussianModel(fit(series), _half_life(parameters))

    def restore(self, parameters: Document, state: Document) -> Model:
        half_life = _half_life(parameters)
        restored = GaussianState(
            mean=finite_number(state["mean"], "mean"),
            std=finite_number(state["std"], "std"),
            points_used=int64(state["points_used"], "points_used"),
            minimum=finite_number(state["minimum"], "minimum"),
            maximum=finite_number(state["maximum"], "maximum"),
            first_timestamp=int64(state["first_timestamp"], "first_timestamp"),
            last_timestamp=int64(state["last_timestamp"], "last_timestamp"),
            weight=finite_number(state.get("weight", state["points_used"]), "weight"),
        )
        if restored.std < 0 or restored.points_used < 1 or restored.weight <= 0:
            raise ValueError("negative std, or no points")
        return GaussianModel(restored, half_life)


def _half_life(parameters: Mapping[str, object]) -> float | None:
    unknown = sorted(set(parameters) - {"half_life"})
    if unknown:
        raise InvalidInput(
            f"parameters.{unknown[0]}", f"is not a parameter of the {NAME} kind (it takes half_life)"
        )
    value = parameters.get("half_life")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= MAX_HALF_LIFE:
        raise InvalidInput(
            "parameters.half_life",
            f"must be null or a number of points above 0 and at most {MAX_HALF_LIFE:g}",
        )
    return float(value)


GAUSSIAN = GaussianKind()
