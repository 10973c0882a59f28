"""The on-disk form of a model state: plain JSON, so loading an artifact can never execute code."""

import json
import math
from typing import Any

from anomaly.domain.errors import DomainError
from anomaly.domain.model import ModelState

FORMAT = "anomaly.gaussian"
FORMAT_VERSION = 1


class UnreadableModel(DomainError):
    """The bytes are not a model state this code understands."""


def encode_model_state(state: ModelState) -> bytes:
    # Spelt out rather than dataclasses.asdict, which deep-copies field by field at ten times the
    # cost, on every fit. The round-trip tests catch a field left out.
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "mean": state.mean,
        "std": state.std,
        "points_used": state.points_used,
        "minimum": state.minimum,
        "maximum": state.maximum,
        "first_timestamp": state.first_timestamp,
        "last_timestamp": state.last_timestamp,
    }
    # allow_nan=False: a model is finite by construction; refuse to write one that is not.
    return json.dumps(document, allow_nan=False, separators=(",", ":")).encode()


def decode_model_state(content: bytes) -> ModelState:
    try:
        document: Any = json.loads(content)
        if document.get("format") != FORMAT or document.get("format_version") != FORMAT_VERSION:
            raise UnreadableModel(f"not a {FORMAT} v{FORMAT_VERSION} model state")
        state = ModelState(
            mean=_finite(document["mean"]),
            std=_finite(document["std"]),
            points_used=_integer(document["points_used"]),
            minimum=_finite(document["minimum"]),
            maximum=_finite(document["maximum"]),
            first_timestamp=_integer(document["first_timestamp"]),
            last_timestamp=_integer(document["last_timestamp"]),
        )
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise UnreadableModel(f"malformed model state: {error}") from error
    if state.std < 0 or state.points_used < 1:
        raise UnreadableModel("malformed model state: negative std or no points")
    return state


def _finite(value: object) -> float:
    # bool is an int, and JSON's NaN/Infinity extensions are floats: neither describes a model.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    return float(value)


def _integer(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, got {value!r}")
    return value
