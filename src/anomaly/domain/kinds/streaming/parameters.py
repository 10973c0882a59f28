"""The streaming kinds' parameters: the few a client may set, validated, and the fixed constants.

The defaults are the ones the seasonal kind scores 70.58 with on NAB (docs/detection.md).
Half-lives and the refractory period count points, not seconds: one parameter set then suits
5-minute and hourly series alike.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from anomaly.domain.errors import InvalidInput
from anomaly.domain.kinds.stored import MAX_HALF_LIFE

Period = Literal["day", "week"]
PeriodChoice = Literal["auto", "day", "week"]
Channel = Literal["level", "diff"]

ROBUST_NAME = "robust"
SEASONAL_NAME = "seasonal"
# A bucket's width must divide a day, so that a day (and a week) holds whole buckets.
DAY_SECONDS = 86_400
MAX_REFRACTORY = 100_000
MAX_RAW_CAP = 1000.0
PERIOD_CHOICES: tuple[PeriodChoice, ...] = ("auto", "day", "week")
CHANNELS: tuple[Channel, ...] = ("level", "diff")


@dataclass(frozen=True, slots=True)
class Params:
    """Everything the detector's maths reads: the client's parameters, then the fixed constants.

    The constants are stored with each model (in its state), so that a model restores exactly
    even if a later release changes their defaults.
    """

    # -- what a client may set
    seasonal: bool = True  # the seasonal kind; False: the robust kind, never seasonal
    half_life: float = 1000.0  # forgetting of the level and of the residual scales
    alert: float = 0.8  # the anomaly score to alert on
    refractory: int = 20  # points after an alert during which scores are capped; 0 = off
    period: PeriodChoice = "auto"  # seasonal: detected from the fit data, or forced
    season_half_life: float = 20.0  # seasonal: forgetting per bucket, in visits of that bucket
    # -- fixed constants
    channels: tuple[Channel, ...] = CHANNELS
    huber: float = 3.0  # residuals are clipped at huber scales before being learnt
    bucket_seconds: int = 3600  # seasonal: width of a time-of-day bucket
    min_scale_frac: float = 1e-3  # scale floor, as a fraction of the fit data's p1-p99 spread
    raw_cap: float = 20.0  # surprise cap, in decades of p-value
    avg_window: int = 10  # likelihood: moving average of surprises
    lik_half_life: float = 3000.0  # likelihood: forgetting of that average's distribution
    lik_min_std: float = 0.5  # likelihood: floor of that distribution's std, in decades
    lik_skip: float = 0.5  # fraction of the fit data kept out of that distribution (warm-up)
    score_half: float = 5.0  # anomaly score = D / (D + score_half)
    spatial: float = 0.02  # a new extreme beyond the seen range by this fraction of it scores 1; 0 = off
    range_half_life: float = 30_000.0  # forgetting of the seen range; 0 = never forget
    yellow: float = 0.5  # scores within an episode are capped at yellow * alert
    fit_chunk: int = 64  # fit streams the fit data in chunks of this size

    @property
    def kind(self) -> str:
        return SEASONAL_NAME if self.seasonal else ROBUST_NAME


def _client_names(kind: str) -> tuple[str, ...]:
    common = ("half_life", "alert", "refractory")
    return (*common, "period", "season_half_life") if kind == SEASONAL_NAME else common


_CONSTANT_NAMES = (
    "channels",
    "huber",
    "bucket_seconds",
    "min_scale_frac",
    "raw_cap",
    "avg_window",
    "lik_half_life",
    "lik_min_std",
    "lik_skip",
    "score_half",
    "spatial",
    "range_half_life",
    "yellow",
    "fit_chunk",
)


# ----------------------------------------------------------------------------- the client's parameters


def parse_parameters(kind: str, given: Mapping[str, object]) -> Params:
    """The parameters a client gave for `kind`, defaults filled in; `InvalidInput` names any bad one."""
    names = _client_names(kind)
    for name in given:
        if name not in names:
            raise InvalidInput(
                f"parameters.{name}", f"is not a parameter of the {kind} kind (it takes {', '.join(names)})"
            )
    params = Params(seasonal=kind == SEASONAL_NAME)
    values: dict[str, Any] = {}
    if "half_life" in given:
        values["half_life"] = _positive("half_life", given["half_life"], "points")
    if "alert" in given:
        values["alert"] = _alert(given["alert"])
    if "refractory" in given:
        values["refractory"] = _refractory(given["refractory"])
    if "period" in given:
        values["period"] = _period(given["period"])
    if "season_half_life" in given:
        values["season_half_life"] = _positive("season_half_life", given["season_half_life"], "visits")
    return replace(params, **values)


def stored_parameters(kind: str, document: object) -> Params:
    """The parameters a version recorded (`parameters_document`): every name present, each valid."""
    if not isinstance(document, dict):
        raise TypeError("parameters must be an object")
    missing = sorted(set(_client_names(kind)) - set(document))
    if missing:
        raise KeyError(f"parameters lack {', '.join(missing)}")
    try:
        return parse_parameters(kind, document)
    except InvalidInput as error:
        raise ValueError(str(error)) from None


def parameters_document(params: Params) -> dict[str, Any]:
    """Every client parameter of the model's kind, as JSON values: what a version records."""
    document: dict[str, Any] = {
        "half_life": params.half_life,
        "alert": params.alert,
        "refractory": params.refractory,
    }
    if params.seasonal:
        document["period"] = params.period
        document["season_half_life"] = params.season_half_life
    return document


def _shown(value: object) -> str:
    # A client's value echoed in an error, but never a screenful of it.
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(name: str, value: object, rule: str) -> float:
    # bool is an int subclass, but a flag is never a quantity.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"parameters.{name}", f"must be a number {rule}, got {_shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise InvalidInput(f"parameters.{name}", f"must be a number {rule}, got {_shown(value)}") from None
    if not math.isfinite(number):
        raise InvalidInput(f"parameters.{name}", f"must be a finite number {rule}, got {_shown(value)}")
    return number


def _positive(name: str, value: object, unit: str) -> float:
    rule = f"of {unit} above 0 and at most {MAX_HALF_LIFE:g}"
    number = _number(name, value, rule)
    if not 0 < number <= MAX_HALF_LIFE:
        raise InvalidInput(f"parameters.{name}", f"must be a number {rule}, got {_shown(value)}")
    return number


def _alert(value: object) -> float:
    rule = "above 0 and at most 1"
    number = _number("alert", value, rule)
    if not 0 < number <= 1:
        raise InvalidInput("parameters.alert", f"must be a number {rule}, got {_shown(value)}")
    return number


def _refractory(value: object) -> int:
    # JSON does not tell 20 from 20.0; a fraction of a point is what is wrong.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_REFRACTORY:
        raise InvalidInput(
            "parameters.refractory",
            f"must be a whole number of points from 0 to {MAX_REFRACTORY}, got {_shown(value)}",
        )
    return value


def _period(value: object) -> PeriodChoice:
    for choice in PERIOD_CHOICES:
        if value == choice and isinstance(value, str):
            return choice
    raise InvalidInput("parameters.period", f'must be one of "auto", "day" or "week", got {_shown(value)}')


# ----------------------------------------------------------------------------- the stored constants


def constants_document(params: Params) -> dict[str, Any]:
    document = {name: getattr(params, name) for name in _CONSTANT_NAMES}
    document["channels"] = list(params.channels)
    return document


def with_constants(params: Params, document: object) -> Params:
    """`params` with the constants a stored state recorded; ValueError/TypeError if they are not sane."""
    if not isinstance(document, dict):
        raise TypeError("constants must be an object")
    if set(document) != set(_CONSTANT_NAMES):
        raise ValueError(f"constants must hold exactly {', '.join(_CONSTANT_NAMES)}")
    channels = document["channels"]
    if (
        not isinstance(channels, list)
        or not channels
        or len(set(channels)) != len(channels)
        or not all(channel in CHANNELS for channel in channels)
    ):
        raise ValueError(f"constants.channels must be distinct names among {CHANNELS}")
    bucket_seconds = _stored_int(document, "bucket_seconds", 1, DAY_SECONDS)
    if DAY_SECONDS % bucket_seconds:
        raise ValueError("constants.bucket_seconds must divide a day")
    return replace(
        params,
        channels=tuple(channel for channel in CHANNELS if channel in channels),
        huber=_stored_float(document, "huber", 0.0, math.inf, open_low=True),
        bucket_seconds=bucket_seconds,
        min_scale_frac=_stored_float(document, "min_scale_frac", 0.0, math.inf),
        # One point's surprise stops computing past 1e150 / sqrt(2) sigmas, where any cap up to here is met.
        raw_cap=_stored_float(document, "raw_cap", 0.0, MAX_RAW_CAP, open_low=True),
        avg_window=_stored_int(document, "avg_window", 1, 1_000_000),
        lik_half_life=_stored_float(document, "lik_half_life", 0.0, math.inf, open_low=True),
        lik_min_std=_stored_float(document, "lik_min_std", 0.0, math.inf, open_low=True),
        lik_skip=_stored_float(document, "lik_skip", 0.0, 1.0),
        score_half=_stored_float(document, "score_half", 0.0, math.inf, open_low=True),
        spatial=_stored_float(document, "spatial", 0.0, math.inf),
        range_half_life=_stored_float(document, "range_half_life", 0.0, math.inf),
        yellow=_stored_float(document, "yellow", 0.0, 1.0),
        fit_chunk=_stored_int(document, "fit_chunk", 1, 1_000_000_000),
    )


def _stored_float(
    document: dict[str, Any], name: str, low: float, high: float, open_low: bool = False
) -> float:
    value = document[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"constants.{name} must be a number, got {_shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"constants.{name} is out of range: {_shown(value)}") from None
    if not math.isfinite(number) or number < low or number > high or (open_low and number == low):
        raise ValueError(f"constants.{name} is out of range: {_shown(value)}")
    return number


def _stored_int(document: dict[str, Any], name: str, low: int, high: int) -> int:
    value = document[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"constants.{name} must be an integer, got {_shown(value)}")
    if not low <= value <= high:
        raise ValueError(f"constants.{name} is out of range: {_shown(value)}")
    return value
