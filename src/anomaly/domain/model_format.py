"""The on-disk form of a model state: plain JSON, so loading an artifact can never execute code."""

import json
from dataclasses import asdict
from typing import Any

from anomaly.domain.errors import DomainError
from anomaly.domain.model import ModelState

FORMAT = "anomaly.gaussian"
FORMAT_VERSION = 1


class UnreadableModel(DomainError):
    """The bytes are not a model state this code understands."""


def encode_model_state(state: ModelState) -> bytes:
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, **asdict(state)}
    # allow_nan=False: a model is finite by construction; refuse to write one that is not.
    return json.dumps(document, allow_nan=False, separators=(",", ":")).encode()


def decode_model_state(content: bytes) -> ModelState:
    try:
        document: Any = json.loads(content)
        if document.get("format") != FORMAT or document.get("format_version") != FORMAT_VERSION:
            raise UnreadableModel(f"not a {FORMAT} v{FORMAT_VERSION} model state")
        return ModelState(
            mean=float(document["mean"]),
            std=float(document["std"]),
            points_used=int(document["points_used"]),
            minimum=float(document["minimum"]),
            maximum=float(document["maximum"]),
            first_timestamp=int(document["first_timestamp"]),
            last_timestamp=int(document["last_timestamp"]),
        )
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise UnreadableModel(f"malformed model state: {error}") from error
