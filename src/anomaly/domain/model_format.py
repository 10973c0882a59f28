"""The on-disk form of a model: plain JSON, so loading an artifact can never execute code.

`anomaly.model` v1 holds any kind: `{"format", "format_version", "kind", "parameters", "state"}`.
Versions stored before kinds existed hold `anomaly.gaussian` v1 (the gaussian state's fields at
the top level), which is still read as a gaussian model with no parameters.
"""

import json
from typing import Any

from anomaly.domain.errors import DomainError
from anomaly.domain.kinds import KINDS
from anomaly.domain.kinds.gaussian.model import GAUSSIAN
from anomaly.domain.model_kind import Model

FORMAT = "anomaly.model"
FORMAT_VERSION = 1
GAUSSIAN_FORMAT = "anomaly.gaussian"


class UnreadableModel(DomainError):
    """The bytes are not a model this code understands."""


def encode_model(model: Model) -> bytes:
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": model.kind,
        "parameters": model.parameters,
        "state": model.state(),
    }
    # allow_nan=False: a model is finite by construction; refuse to write one that is not.
    return json.dumps(document, allow_nan=False, separators=(",", ":")).encode()


def decode_model(content: bytes) -> Model:
    try:
        document: Any = json.loads(content)
        if not isinstance(document, dict):
            raise UnreadableModel("not a JSON object")
        name, version = document.get("format"), document.get("format_version")
        if name == GAUSSIAN_FORMAT and version == 1:
            return GAUSSIAN.restore({}, document)
        if name != FORMAT or version != FORMAT_VERSION:
            raise UnreadableModel(f"not an {FORMAT} v{FORMAT_VERSION} model")
        kind = KINDS.get(document["kind"])
        if kind is None:
            raise UnreadableModel(f"unknown model kind {document['kind']!r}")
        parameters, state = document["parameters"], document["state"]
        if not isinstance(parameters, dict) or not isinstance(state, dict):
            raise UnreadableModel("parameters and state must be JSON objects")
        return kind.restore(parameters, state)
    # OverflowError: an integer too large for a float; RecursionError: JSON nested too deep.
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        OverflowError,
        RecursionError,
        DomainError,
    ) as error:
        if isinstance(error, UnreadableModel):
            raise
        raise UnreadableModel(f"malformed model: {error}") from error
