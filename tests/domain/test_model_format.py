"""The model artifact format: plain JSON that round-trips a ModelState exactly and refuses anything else."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anomaly.domain.model import ModelState
from anomaly.domain.model_format import (
    FORMAT,
    FORMAT_VERSION,
    UnreadableModel,
    decode_model_state,
    encode_model_state,
)
from anomaly.domain.time_series import INT64_MAX

STATE = ModelState(
    mean=1.25,
    std=0.5,
    points_used=3,
    minimum=0.5,
    maximum=2.0,
    first_timestamp=1_700_000_000,
    last_timestamp=1_700_000_120,
)

finite_floats: st.SearchStrategy[float] = st.floats(allow_nan=False, allow_infinity=False)
timestamps: st.SearchStrategy[int] = st.integers(min_value=0, max_value=INT64_MAX)

states: st.SearchStrategy[ModelState] = st.builds(
    ModelState,
    mean=finite_floats,
    std=st.floats(min_value=0.0, allow_infinity=False),
    points_used=st.integers(min_value=1, max_value=10**9),
    minimum=finite_floats,
    maximum=finite_floats,
    first_timestamp=timestamps,
    last_timestamp=timestamps,
)


def document(**changes: object) -> bytes:
    content: dict[str, object] = json.loads(encode_model_state(STATE))
    content.update(changes)
    return json.dumps(content).encode()


def test_round_trip() -> None:
    assert decode_model_state(encode_model_state(STATE)) == STATE


@given(states)
def test_round_trip_is_exact(state: ModelState) -> None:
    decoded = decode_model_state(encode_model_state(state))

    assert decoded == state
    assert [type(value) for value in vars_of(decoded)] == [type(value) for value in vars_of(state)]


def vars_of(state: ModelState) -> list[object]:
    return [getattr(state, name) for name in ModelState.__slots__]


def test_encoded_bytes_are_a_json_object_naming_format_and_version() -> None:
    content = encode_model_state(STATE)

    assert content.startswith(b"{")
    assert b"\x80" not in content  # a pickle stream starts with the PROTO opcode 0x80
    parsed = json.loads(content)
    assert parsed["format"] == FORMAT
    assert parsed["format_version"] == FORMAT_VERSION
    assert parsed["mean"] == STATE.mean
    assert parsed["last_timestamp"] == STATE.last_timestamp


def test_encode_refuses_a_non_finite_state() -> None:
    broken = ModelState(
        mean=float("nan"),
        std=0.0,
        points_used=1,
        minimum=0.0,
        maximum=0.0,
        first_timestamp=0,
        last_timestamp=0,
    )

    with pytest.raises(ValueError, match="JSON"):
        encode_model_state(broken)


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
        b"{",
    ],
)
def test_decode_rejects_bytes_that_are_not_a_json_object(content: bytes) -> None:
    with pytest.raises(UnreadableModel):
        decode_model_state(content)


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
        decode_model_state(document(**changes))


@pytest.mark.parametrize(
    "missing",
    ["format", "format_version", "mean", "std", "points_used", "minimum", "maximum", "first_timestamp"],
)
def test_decode_rejects_a_document_with_a_missing_key(missing: str) -> None:
    content = json.loads(encode_model_state(STATE))
    del content[missing]

    with pytest.raises(UnreadableModel):
        decode_model_state(json.dumps(content).encode())


@pytest.mark.parametrize("changes", [{"mean": "abc"}, {"std": None}, {"points_used": []}, {"minimum": {}}])
def test_decode_rejects_fields_of_the_wrong_kind(changes: dict[str, object]) -> None:
    with pytest.raises(UnreadableModel):
        decode_model_state(document(**changes))
