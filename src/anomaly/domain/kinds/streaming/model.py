"""The `robust` and `seasonal` kinds: a streaming model that learns as it judges.

`robust` is a Huber-clipped EWMA level; `seasonal` adds one level per hour of the day or of the week
when the fit data show such a period (`period` "auto"), or as told ("day", "week"), and is otherwise
the robust model. Both score a point by the likelihood of its recent surprise (a level and a
step channel), by whether it is a new extreme, with one alert per episode.
"""

from collections.abc import Mapping

from anomaly.domain.detection import Threshold
from anomaly.domain.errors import InvalidInput
from anomaly.domain.kinds.streaming import detector
from anomaly.domain.kinds.streaming.judging import (
    Ask,
    View,
    clipped_band,
    diff_scale,
    expected_at,
    judge_batch,
    judge_one,
    view_of,
)
from anomaly.domain.kinds.streaming.parameters import (
    ROBUST_NAME,
    SEASONAL_NAME,
    Params,
    parameters_document,
    parse_parameters,
    stored_parameters,
)
from anomaly.domain.kinds.streaming.state import State, from_document, to_document
from anomaly.domain.model_kind import Band, Document, Judgement, Model, ModelSummary, PointJudgement
from anomaly.domain.time_series import TimeSeries, Timestamps, Values


class StreamingModel:
    """A fitted streaming model; immutable (`updated` returns a new one)."""

    __slots__ = ("_params", "_state", "_view")

    def __init__(self, params: Params, state: State) -> None:
        self._params = params
        self._state = state
        self._view: View = view_of(state)

    @property
    def kind(self) -> str:
        return self._params.kind

    @property
    def parameters(self) -> Document:
        return parameters_document(self._params)

    def summary(self) -> ModelSummary:
        state = self._state
        return ModelSummary(
            points_used=state.count,
            first_timestamp=state.first_timestamp,
            last_timestamp=state.last_timestamp,
            minimum=state.minimum,
            maximum=state.maximum,
            mean=state.level,
            std=self._view.level_scale,
        )

    def describe(self) -> Document:
        state = self._state
        levels = state.bucket_levels.tolist()
        return {
            "kind": self.kind,
            "period": state.period,
            "level": state.level,
            "scale": self._view.level_scale,
            "diff_scale": diff_scale(state),
            "bucket_seconds": state.params.bucket_seconds,
            "bucket_levels": [
                level if visits > 0 else None
                for level, visits in zip(levels, state.bucket_counts.tolist(), strict=True)
            ],
            "points_used": state.count,
            "first_timestamp": state.first_timestamp,
            "last_timestamp": state.last_timestamp,
            "minimum": state.minimum,
            "maximum": state.maximum,
        }

    def judge(self, timestamps: Timestamps, values: Values, threshold: Threshold) -> Judgement:
        verdicts = judge_batch(self._view, timestamps, values, self._ask(threshold))
        return Judgement(
            expected=verdicts.expected,
            lower=verdicts.lower,
            upper=verdicts.upper,
            score=verdicts.raw_score,
            anomaly_score=verdicts.score,
            anomaly=verdicts.anomaly,
        )

    def judge_point(self, timestamp: int, value: float, threshold: Threshold) -> PointJudgement:
        alert = self._params.alert if threshold.alert is None else threshold.alert
        return PointJudgement(
            *judge_one(
                self._view, timestamp, value, threshold.k * self._view.level_scale, alert, threshold.direction
            )
        )

    def band(self, timestamps: Timestamps, threshold: Threshold) -> Band:
        view = self._view
        expected = expected_at(view, timestamps)
        lower, upper = clipped_band(expected, threshold.k * view.level_scale, view.largest_expected)
        return Band(expected, lower, upper)

    def updated(self, timestamps: Timestamps, values: Values) -> Model:
        if not len(values):
            return self
        state = self._state.copy()
        detector.fold(state, timestamps, values, likelihood_from=0, view=self._view)
        return StreamingModel(self._params, state)

    def state(self) -> Document:
        return to_document(self._state)

    def _ask(self, threshold: Threshold) -> Ask:
        alert = self._params.alert if threshold.alert is None else threshold.alert
        return Ask(threshold.k * self._view.level_scale, alert, threshold.direction)


class StreamingKind:
    """One of the two streaming kinds; they share the model and differ in their parameters."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def fit(self, series: TimeSeries, parameters: Mapping[str, object]) -> Model:
        params = parse_parameters(self._name, parameters)
        if not len(series):
            raise InvalidInput("values", "has no points; a model needs at least one")
        return StreamingModel(params, detector.fit(series.timestamps, series.values, params))

    def restore(self, parameters: Document, state: Document) -> Model:
        params = stored_parameters(self._name, parameters)
        return StreamingModel(params, from_document(params, state))


ROBUST = StreamingKind(ROBUST_NAME)
SEASONAL = StreamingKind(SEASONAL_NAME)
