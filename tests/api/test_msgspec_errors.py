"""msgspec's error messages, read into the field at fault and the reason the client is told."""

import msgspec
import pytest

from anomaly.adapters.http.requests.msgspec_errors import field_and_reason, invalid_input, malformed_message
from anomaly.adapters.http.schemas import FitRequest, WholeTimestampsRequest


class Inner(msgspec.Struct, forbid_unknown_fields=True):
    count: int


class Outer(msgspec.Struct):
    inner: Inner


def validation_message(body: bytes, payload_type: type[msgspec.Struct]) -> str:
    with pytest.raises(msgspec.ValidationError) as raised:
        msgspec.json.decode(body, type=payload_type)
    return str(raised.value)


@pytest.mark.parametrize(
    ("body", "payload_type", "field", "reason"),
    [
        (
            b'{"timestamps": [1, "2"], "values": []}',
            WholeTimestampsRequest,
            "timestamps[1]",
            "Expected `int`, got `str`",
        ),
        (
            b'{"timestamps": [-1], "values": [1.0]}',
            WholeTimestampsRequest,
            "timestamps[0]",
            "Expected `int` >= 0",
        ),
        (b'{"timestamps": []}', WholeTimestampsRequest, "values", "Object missing required field `values`"),
        (
            b'{"timestamps": [], "values": [], "valuez": 1}',
            WholeTimestampsRequest,
            "valuez",
            "Object contains unknown field `valuez`",
        ),
        (b"[]", WholeTimestampsRequest, "body", "Expected `object`, got `array`"),
        (b'{"inner": {}}', Outer, "inner.count", "Object missing required field `count`"),
        (b'{"inner": {"count": 1.5}}', Outer, "inner.count", "Expected `int`, got `float`"),
    ],
    ids=[
        "wrong type",
        "out of range",
        "missing key",
        "unknown key",
        "not an object",
        "nested missing",
        "nested",
    ],
)
def test_a_validation_message_names_the_field_as_the_client_wrote_it(
    body: bytes, payload_type: type[msgspec.Struct], field: str, reason: str
) -> None:
    assert field_and_reason(validation_message(body, payload_type)) == (field, reason)


def test_a_fractional_timestamp_is_told_in_the_clients_terms() -> None:
    error = invalid_input(validation_message(b'{"timestamps": [1, 2.5], "values": []}', FitRequest))
    assert (error.field, error.reason) == (
        "timestamps[1]",
        "Expected an integer, got a number with a fractional part",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"  ", "the request body is empty; send a JSON object"),
        (
            b'{"values": [1.0, NaN]}',
            "the request body is not valid JSON: invalid character (byte 17) near "
            "'{\"values\": [1.0, NaN]}' (NaN and Infinity are not JSON numbers)",
        ),
        (b'{"values": [1.0', "the request body is not valid JSON: Input data was truncated"),
    ],
    ids=["empty", "NaN", "truncated"],
)
def test_a_decode_error_says_what_breaks_and_where(body: bytes, message: str) -> None:
    with pytest.raises(msgspec.DecodeError) as raised:
        msgspec.json.decode(body)
    assert malformed_message(str(raised.value), body) == message
