"""The model artifact format: plain JSON that round-trips a model exactly and refuses anything else.

`anomaly.model` v1 is what is written now; `anomaly.gaussian` v1, written before model kinds existed,
must still be read, as the same gaussian model, for as long as such artifacts may be stored.
"""

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anomaly.domain.kinds.gaussian.model import GAUSSIAN, GaussianModel
from anomaly.domain.kinds.gaussian.state import GaussianState
from anomaly.domain.model_format import (
    FORMAT,
    FORMAT_VERSION,
    GAUSSIAN_FORMAT,
    UnreadableModel,
    decode_model,
    encode_model,
)
from anomaly.domain.model_kind import Model
from anomaly.domain.time_series import INT64_MAX, BatchLimits, TimeSeries
from tests.support.versions import described

STATE = GaussianState(
    mean=1.25,
    std=0.5,
    points_used=3,
    minimum=0.5,
    maximum=2.0,
    first_timestamp=1_700_000_000,
    last_timestamp=1_700_000_120,
    weight=3.0,
)
MODEL = GaussianModel(STATE, half_life=None)
LIMITS = BatchLimits(min_points=1, max_points=1000)

# Byte for byte what the code before model kinds wrote for STATE (`encode_model_state`).
LEGACY = (
    b'{"format":"anomaly.gaussian","format_version":1,"mean":1.25,"std":0.5,"points_used":3,'
    b'"minimum":0.5,"maximum":2.0,"first_timestamp":1700000000,"last_timestamp":1700000120}'
)

finite_floats: st.SearchStrategy[float] = st.floats(allow_nan=False, allow_infinity=False)
timestamps: st.SearchStrategy[int] = st.integers(min_value=0, max_value=INT64_MAX)

states: st.SearchStrategy[GaussianState] = st.builds(
    GaussianState,
    mean=finite_floats,
    std=st.floats(min_value=0.0, allow_infinity=False),
    points_used=st.integers(min_value=1, max_value=10**9),
    minimum=finite_floats,
    maximum=finite_floats,
    first_timestamp=timestamps,
    last_timestamp=timestamps,
    weight=st.floats(min_value=0.0, exclude_min=True, allow_infinity=False),
)
half_lives: st.SearchStrategy[float | None] = st.one_of(
    st.none(), st.floats(min_value=0.0, max_value=1e12, exclude_min=True)
)


def envelope(**changes: object) -> dict[str, Any]:
    content: dict[str, Any] = json.loads(encode_model(MODEL))
    content.update(changes)
    return content


def document(**changes: object) -> bytes:
    return json.dumps(envelope(**changes)).encode()


def with_state(**changes: object) -> bytes:
    content = envelope()
    content["state"].update(changes)
    return json.dumps(content).encode()


def legacy(**changes: object) -> bytes:
    content: dict[str, object] = json.loads(LEGACY)
    content.update(changes)
    return json.dumps(content).encode()


def gaussian(model: Model) -> GaussianModel:
    assert isinstance(model, GaussianModel)
    return model


def test_round_trip() -> None:
    assert described(decode_model(encode_model(MODEL))) == described(MODEL)
    assert gaussian(decode_model(encode_model(MODEL))).statistics == STATE


@given(states, half_lives)
def test_round_trip_is_exact(state: GaussianState, half_life: float | None) -> None:
    decoded = gaussian(decode_model(encode_model(GaussianModel(state, half_life))))

    assert decoded.statistics == state
    assert decoded.parameters == {"half_life": half_life}
    assert [type(value) for value in vars_of(decoded.statistics)] == [type(value) for value in vars_of(state)]


def vars_of(state: GaussianState) -> list[object]:
    return [getattr(state, name) for name in GaussianState.__slots__]


def test_encoded_bytes_are_a_json_envelope_naming_format_version_kind_parameters_and_state() -> None:
    content = encode_model(MODEL)

    assert content.startswith(b"{")
    assert b"\x80" not in content  # a pickle stream starts with the PROTO opcode 0x80
    parsed = json.loads(content)
    assert parsed == {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": "gaussian",
        "parameters": {"half_life": None},
        "state": {
            "mean": 1.25,
            "std": 0.5,
            "points_used": 3,
            "minimum": 0.5,
            "maximum": 2.0,
            "first_timestamp": 1_700_000_000,
            "last_timestamp": 1_700_000_120,
            "weight": 3.0,
        },
    }
    assert (FORMAT, FORMAT_VERSION) == ("anomaly.model", 1)


def test_encode_refuses_a_non_finite_model() -> None:
    broken = GaussianState(
        mean=float("nan"),
        std=0.0,
        points_used=1,
        minimum=0.0,
        maximum=0.0,
        first_timestamp=0,
        last_timestamp=0,
        weight=1.0,
    )

    with pytest.raises(ValueError, match="JSON"):
        encode_model(GaussianModel(broken, half_life=None))


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"\x80\x04\x95",  # the start of a pickle
        b"\xff\xfe",
        b"null",
        b"[]",
        b"42",
        b'"anomaly.gaussian"',
        b'"anomaly.model"',
        b"{",
    ],
)
def test_decode_rejects_bytes_that_are_not_a_json_object(content: bytes) -> None:
    with pytest.raises(UnreadableModel):
        decode_model(content)


@pytest.mark.parametrize(
    "changes",
    [
        {"format": "anomaly.other"},
        {"format": None},
        {"format_version": 2},
        {"format_version": 0},
        {"format_version": "1"},
    ],
)
def test_decode_rejects_another_format_or_version(changes: dict[str, object]) -> None:
    with pytest.raises(UnreadableModel):
        decode_model(document(**changes))


@pytest.mark.parametrize("missing", ["format", "format_version", "kind", "parameters", "state"])
def test_decode_rejects_an_envelope_with_a_missing_key(missing: str) -> None:
    content = envelope()
    del content[missing]

    with pytest.raises(UnreadableModel):
        decode_model(json.dumps(content).encode())


@pytest.mark.parametrize("kind", ["robust-ish", "Gaussian", "", None, 1, ["gaussian"], {"name": "gaussian"}])
def test_decode_rejects_an_unknown_kind(kind: object) -> None:
    with pytest.raises(UnreadableModel):
        decode_model(document(kind=kind))


def test_an_unknown_kind_is_named_in_the_error() -> None:
    with pytest.raises(UnreadableModel, match="unknown model kind 'sarima'"):
        decode_model(document(kind="sarima"))


@pytest.mark.parametrize("state", [None, [], "state", 1.5, [["mean", 1.25]]])
def test_decode_rejects_a_state_that_is_not_an_object(state: object) -> None:
    with pytest.raises(UnreadableModel):
        decode_model(document(state=state))


@pytest.mark.parametrize(
    "parameters",
    [
        None,
        [],
        "half_life",
        {"half_life": 0},
        {"half_life": -5.0},
        {"half_life": "10"},
        {"half_life": True},
        {"half_life": 1e13},
        {"period": 24},
        {"half_life": None, "alpha": 0.5},
    ],
)
def test_decode_rejects_parameters_the_kind_does_not_take(parameters: object) -> None:
    with pytest.raises(UnreadableModel):
        decode_model(document(parameters=parameters))


@pytest.mark.parametrize(
    "missing", ["mean", "std", "points_used", "minimum", "maximum", "first_timestamp", "last_timestamp"]
)
def test_decode_rejects_a_state_with_a_missing_key(missing: str) -> None:
    content = envelope()
    del content["state"][missing]

    with pytest.raises(UnreadableModel):
        decode_model(json.dumps(content).encode())


@pytest.mark.parametrize(
    "changes",
    [
        {"mean": "abc"},
        {"std": None},
        {"std": -1.0},
        {"points_used": []},
        {"points_used": 0},
        {"points_used": 2.0},
        {"minimum": {}},
        {"first_timestamp": True},
        {"weight": 0.0},
        {"weight": "3"},
    ],
)
def test_decode_rejects_state_fields_of_the_wrong_kind(changes: dict[str, object]) -> None:
    with pytest.raises(UnreadableModel):
        decode_model(with_state(**changes))


def test_non_finite_numbers_in_the_state_are_refused() -> None:
    content = encode_model(MODEL).replace(b'"mean":1.25', b'"mean":NaN')
    assert b"NaN" in content

    with pytest.raises(UnreadableModel):
        decode_model(content)


# The format written before model kinds: it must keep being read as the same gaussian model.


def test_a_legacy_artifact_decodes_to_the_same_gaussian_model() -> None:
    decoded = gaussian(decode_model(LEGACY))

    assert decoded.kind == "gaussian"
    assert decoded.parameters == {"half_life": None}  # a legacy model forgets nothing on update
    assert decoded.statistics == STATE  # its weight is its points_used
    assert described(decoded) == described(MODEL)
    assert encode_model(decoded) == encode_model(MODEL)
    assert GAUSSIAN_FORMAT == "anomaly.gaussian"
    # It learns new points as the model it was stored from would.
    stamps, values = np.array([1_700_000_180, 1_700_000_240]), np.array([4.0, -1.0])
    assert decoded.updated(stamps, values).state() == MODEL.updated(stamps, values).state()


def test_a_legacy_artifact_of_a_fit_judges_as_the_fit_does() -> None:
    fitted = gaussian(GAUSSIAN.fit(_series([1.0, 2.0, 3.0, 4.0, 10.0]), {}))
    state = fitted.statistics
    old = {
        "format": "anomaly.gaussian",
        "format_version": 1,
        "mean": state.mean,
        "std": state.std,
        "points_used": state.points_used,
        "minimum": state.minimum,
        "maximum": state.maximum,
        "first_timestamp": state.first_timestamp,
        "last_timestamp": state.last_timestamp,
    }
    decoded = decode_model(json.dumps(old, separators=(",", ":")).encode())

    assert described(decoded) == described(fitted)
    assert decoded.summary() == fitted.summary()
    assert decoded.describe() == fitted.describe()


@pytest.mark.parametrize(
    "changes",
    [{"format_version": 2}, {"format_version": 0}, {"format_version": "1"}, {"format": "anomaly.gaussian2"}],
)
def test_a_legacy_document_of_another_version_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(UnreadableModel):
        decode_model(legacy(**changes))


@pytest.mark.parametrize(
    "missing", ["mean", "std", "points_used", "minimum", "maximum", "first_timestamp", "last_timestamp"]
)
def test_a_legacy_document_with_a_missing_key_is_refused(missing: str) -> None:
    content = json.loads(LEGACY)
    del content[missing]

    with pytest.raises(UnreadableModel):
        decode_model(json.dumps(content).encode())


@pytest.mark.parametrize(
    "changes",
    [{"mean": "abc"}, {"std": None}, {"std": -0.5}, {"points_used": []}, {"points_used": 0}, {"minimum": {}}],
)
def test_a_legacy_document_with_fields_of_the_wrong_kind_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(UnreadableModel):
        decode_model(legacy(**changes))


def _series(values: list[float]) -> TimeSeries:
    return TimeSeries.parse(list(range(100, 100 + len(values))), values, LIMITS)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            b'{"format":"anomaly.model","format_version":1,"kind":"gaussian","parameters":{},"state":'
            b'{"mean":1' + b"0" * 400 + b',"std":1,"points_used":3,"minimum":0,"maximum":2,'
            b'"first_timestamp":1,"last_timestamp":3}}',
            id="a number too large for a float",
        ),
        pytest.param(
            b'{"format":"anomaly.model","format_version":1,"kind":"gaussian","parameters":{},"state":'
            b'{"mean":1,"std":1,"points_used":100000000000000000000000,"minimum":0,"maximum":2,'
            b'"first_timestamp":1,"last_timestamp":3}}',
            id="a count beyond 64 bits",
        ),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested too deep"),
    ],
)
def test_a_crafted_artifact_is_unreadable_not_a_crash(content: bytes) -> None:
    with pytest.raises(UnreadableModel):
        decode_model(content)
