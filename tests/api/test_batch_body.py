"""Batch bodies: large ones are read straight into arrays, with the outcome of the strict msgspec path.

`JsonBatchReader(columns_above=0)` makes any body take the column reader first, so small bodies
(which hypothesis shrinks well) exercise it; `columns_above=len(body)` forces the msgspec path.
"""

import math
from dataclasses import dataclass

import msgspec
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from anomaly.adapters.http.requests.batch import JsonBatchReader
from anomaly.adapters.http.requests.number_columns import read_columns
from anomaly.adapters.http.requests.strict_json import MalformedBody
from anomaly.adapters.http.schemas import WholeTimestampsRequest
from anomaly.domain.errors import InvalidInput
from anomaly.domain.time_series import MAX_TIMESTAMP

Outcome = tuple[object, ...]


def outcome(body: bytes, columns_above: int) -> Outcome:
    """What a client would get from this body: the arrays and the stored bytes, or the error."""
    try:
        batch = JsonBatchReader(columns_above=columns_above).read(body)
    except InvalidInput as error:
        return ("invalid_input", error.field, error.reason)
    except MalformedBody as error:
        return ("malformed_json", str(error))
    return (
        "batch",
        batch.timestamps.dtype.str,
        batch.timestamps.tobytes(),
        batch.values.dtype.str,
        batch.values.tobytes(),  # bit for bit: -0.0 and 0.0 differ
        batch.kind,
        batch.parameters,
        body if batch.restated is None else batch.restated,  # what is stored
    )


def assert_same_as_msgspec(body: bytes) -> Outcome:
    fast = outcome(body, columns_above=0)
    assert fast == outcome(body, columns_above=len(body))
    return fast


# --- Generated bodies -----------------------------------------------------------------------------

PLAIN_TIMESTAMPS = st.one_of(st.integers(0, MAX_TIMESTAMP), st.integers(0, 10**6)).map(str)
PLAIN_VALUES = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda number: f"{number:.25e}"),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda number: f"{number:E}"),
    st.integers(-(2**63), 2**64 - 1).map(str),
    st.builds(
        lambda mantissa, exponent: f"{mantissa}e{exponent}",
        st.integers(-(10**20), 10**20),
        st.integers(-400, 280),
    ),
    st.sampled_from(
        [
            "0",
            "-0",
            "-0.0",
            "-0e0",
            "1E5",
            "1e+5",
            "1e-400",
            "2.4e-324",
            "2.5e-324",
            "9007199254740993",
            "1.7976931348623157e308",
        ]
    ),
)
# Valid JSON the API accepts, which the column reader leaves to msgspec.
UNUSUAL_VALUES = st.one_of(
    st.integers(2**64, 2**80).map(str),
    st.integers(-(2**80), -(2**63) - 1).map(str),
    st.sampled_from(["1" + "0" * 30, "0." + "0" * 30 + "1", "123456789012345678901234567890.5"]),
)
UNUSUAL_TIMESTAMPS = st.sampled_from(["7.0", "7e0", "1.0E2", "0.0"])
BAD_TIMESTAMPS = st.sampled_from(
    [
        "-1",
        "-0",
        str(2**63),
        str(2**64),
        "1" + "0" * 25,
        "01",
        "1.5",
        '"5"',
        "null",
        "true",
        "[1]",
        "[]",
        "{}",
        "NaN",
        "",
        "+1",
        "9.3e18",
    ]
)
BAD_VALUES = st.sampled_from(
    [
        "1e400",
        "-1e999",
        "NaN",
        "Infinity",
        "-Infinity",
        '"1.0"',
        "null",
        "false",
        "[1.0]",
        "[]",
        '{"a": 1}',
        "",
        "1.",
        ".5",
        "01",
        "+1",
        "0x10",
        "1e",
        "--1",
        "1 2",
        "1,",
    ]
)
# What a fit's body may add to the arrays, and what it must not.
MODEL_MEMBERS = st.sampled_from(
    [
        '"kind": "seasonal"',
        '"kind" : null',
        '"kind": "robust", "parameters": {"half_life": 10}',
        '"parameters": {"period": "day"}, "kind": "seasonal"',
        '"parameters": null',
        '"kind": 3',
        '"kind": "robust", "kind": "seasonal"',
        '"k\\u0069nd": "robust"',
        '"parameters": {"a": 1, "a": 2}',
        '"parameters": ["period"]',
        '"values": [1.0]',
        '"timestamps": []',
        '"kind": "seasonal", "valuez": []',
        '"kind": "seasonal",',
        '"kind" "seasonal"',
        '"kind": "seasonal"}',
        '"kind": "seasonal" "parameters": {}',
    ]
)
SPACE = st.sampled_from(["", " ", "\n", "\t", "\r\n", "  "])
NOT_JSON_SPACE = st.sampled_from(["\f", "\v", "\u00a0", "\ufeff"])


CHANGES = (
    *("none", "none", "none", "swap"),  # plain
    *("unusual value", "unusual timestamp", "bad value", "bad timestamp", "nest"),
    *("repeat", "extra", "missing", "escaped", "space", "not an object", "bytes"),
    *("model after", "model after", "model before"),
)


@dataclass(frozen=True)
class Body:
    content: bytes
    plain: bool  # the shape nearly every client sends: the column reader must take it


@st.composite
def bodies(draw: st.DrawFn) -> Body:
    size = draw(st.integers(0, 12))
    timestamps = draw(st.lists(PLAIN_TIMESTAMPS, min_size=size, max_size=size))
    values = draw(st.lists(PLAIN_VALUES, min_size=size, max_size=size + draw(st.sampled_from([0, 0, 0, 1]))))
    members = [("timestamps", timestamps), ("values", values)]
    plain = True
    change = draw(st.sampled_from(CHANGES))
    if change == "swap":
        members.reverse()
    elif change != "none":
        plain = False
        if change in ("unusual value", "bad value") and values:
            values[draw(st.integers(0, len(values) - 1))] = draw(
                UNUSUAL_VALUES if "unusual" in change else BAD_VALUES
            )
        elif change in ("unusual timestamp", "bad timestamp") and timestamps:
            pool = UNUSUAL_TIMESTAMPS if "unusual" in change else BAD_TIMESTAMPS
            timestamps[draw(st.integers(0, len(timestamps) - 1))] = draw(pool)
        elif change == "repeat":
            members.insert(draw(st.integers(0, 2)), ("values", ["9.5"] * len(values)))
        elif change == "extra":
            members.insert(draw(st.integers(0, 2)), ("valuez", []))
        elif change == "missing":
            members.pop(draw(st.integers(0, 1)))
        elif change == "escaped":
            members[1] = ("v\\u0061lues", values)
        elif change == "nest" and values:
            index = draw(st.integers(0, len(values) - 1))
            values[index] = f"[{values[index]}]"
    content = _layout(draw, members, change == "space")
    if change.startswith("model"):
        content = _with_model(draw, content, after=change == "model after")
    if change == "not an object":
        content = "[" + content + "]"
    encoded = content.encode()
    if change == "bytes" and encoded:
        encoded = _mutate(draw, encoded)
    return Body(encoded, plain)


def _layout(draw: st.DrawFn, members: list[tuple[str, list[str]]], odd_space: bool) -> str:
    def space() -> str:
        return draw(NOT_JSON_SPACE if odd_space and draw(st.booleans()) else SPACE)

    def array(items: list[str]) -> str:
        return "[" + space() + (space() + "," + space()).join(items) + space() + "]"

    inner = ("," + space()).join(f'"{key}"{space()}:{space()}{array(items)}' for key, items in members)
    return space() + "{" + space() + inner + space() + "}" + space()


def _with_model(draw: st.DrawFn, content: str, after: bool) -> str:
    """The object with members naming a model (or breaking its rules) after the arrays, or before."""
    if after:
        at = content.rindex("}")
        return f"{content[:at]}, {draw(MODEL_MEMBERS)}{content[at:]}"
    at = content.index("{") + 1
    return f"{content[:at]}{draw(MODEL_MEMBERS)}, {content[at:]}"


def _mutate(draw: st.DrawFn, content: bytes) -> bytes:
    at = draw(st.integers(0, len(content) - 1))
    action = draw(st.sampled_from(["cut", "drop", "insert"]))
    if action == "cut":
        return content[:at]
    if action == "drop":
        return content[:at] + content[at + 1 :]
    return (
        content[:at]
        + draw(st.sampled_from([b",", b"[", b"]", b"{", b'"', b"-", b".", b"e", b"x", b"\\", b"\x00"]))
        + content[at:]
    )


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies(), st.integers(1, 64))
def test_the_column_reader_gives_what_msgspec_gives_or_steps_aside(body: Body, slice_bytes: int) -> None:
    columns = read_columns(body.content, slice_bytes=slice_bytes)

    if body.plain:
        assert columns is not None
    if columns is None:
        return
    strict = msgspec.json.decode(body.content, type=WholeTimestampsRequest)
    assert columns.timestamps.dtype == np.int64
    assert columns.values.dtype == np.float64
    assert columns.timestamps.tobytes() == np.array(strict.timestamps, dtype=np.int64).tobytes()
    assert columns.values.tobytes() == np.array(strict.values, dtype=np.float64).tobytes()


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies())
def test_a_body_decodes_the_same_with_or_without_the_column_reader(body: Body) -> None:
    assert_same_as_msgspec(body.content)


# --- What simdjson reads differently, one by one --------------------------------------------------

PITFALLS: list[tuple[str, bytes]] = [
    ("nested value", b'{"timestamps": [1, 2, 3], "values": [[1.0], 2.0, 3.0]}'),
    ("nested values", b'{"timestamps": [1, 2, 3], "values": [[1.0, 2.0, 3.0]]}'),
    ("nested timestamps", b'{"timestamps": [[1, 2], 3], "values": [1.0, 2.0, 3.0]}'),
    ("repeated key", b'{"timestamps": [1, 2, 3], "values": [9.0, 9.0, 9.0], "values": [1.0, 2.0, 3.0]}'),
    ("only one key, twice", b'{"values": [1.0, 2.0, 3.0], "values": [1.0, 2.0, 3.0]}'),
    ("repeated timestamps", b'{"timestamps": [1, 2, 3], "timestamps": [4, 5, 6], "values": [1.0, 2.0, 3.0]}'),
    ("extra key", b'{"timestamps": [1, 2, 3], "values": [1.0, 2.0, 3.0], "valuez": []}'),
    ("missing key", b'{"values": [1.0, 2.0, 3.0]}'),
    ("escaped key", b'{"timestamps": [1, 2, 3], "v\\u0061lues": [1.0, 2.0, 3.0]}'),
    ("whole float timestamp", b'{"timestamps": [1, 2.0, 3e0], "values": [1.0, 2.0, 3.0]}'),
    ("fractional timestamp", b'{"timestamps": [1, 2.5, 3], "values": [1.0, 2.0, 3.0]}'),
    ("negative timestamp", b'{"timestamps": [1, -2, 3], "values": [1.0, 2.0, 3.0]}'),
    ("timestamp past int64", b'{"timestamps": [1, 2, 9223372036854775808], "values": [1.0, 2.0, 3.0]}'),
    ("timestamp past uint64", b'{"timestamps": [1, 2, 18446744073709551616], "values": [1.0, 2.0, 3.0]}'),
    ("string value", b'{"timestamps": [1, 2, 3], "values": [1.0, "2.0", 3.0]}'),
    ("string timestamp", b'{"timestamps": [1, "2", 3], "values": [1.0, 2.0, 3.0]}'),
    ("null value", b'{"timestamps": [1, 2, 3], "values": [1.0, null, 3.0]}'),
    ("bool value", b'{"timestamps": [1, 2, 3], "values": [1.0, true, 3.0]}'),
    ("object value", b'{"timestamps": [1, 2, 3], "values": [1.0, {"v": 2}, 3.0]}'),
    ("overflowing value", b'{"timestamps": [1, 2, 3], "values": [1.0, 1e400, 3.0]}'),
    ("integer value past uint64", b'{"timestamps": [1, 2, 3], "values": [1.0, 18446744073709551616, 3.0]}'),
    ("NaN literal", b'{"timestamps": [1, 2, 3], "values": [1.0, NaN, 3.0]}'),
    ("trailing comma", b'{"timestamps": [1, 2, 3], "values": [1.0, 2.0, 3.0,]}'),
    ("missing comma", b'{"timestamps": [1, 2, 3], "values": [1.0 2.0, 3.0]}'),
    ("leading zero", b'{"timestamps": [1, 02, 3], "values": [1.0, 2.0, 3.0]}'),
    ("truncated", b'{"timestamps": [1, 2, 3], "values": [1.0, 2.0, 3.0'),
    ("trailing garbage", b'{"timestamps": [1, 2, 3], "values": [1.0, 2.0, 3.0]} x'),
    ("form feed", b'{"timestamps": [1, 2, 3],\x0c"values": [1.0, 2.0, 3.0]}'),
    ("byte order mark", b'\xef\xbb\xbf{"timestamps": [1, 2, 3], "values": [1.0, 2.0, 3.0]}'),
    ("not an object", b"[1, 2, 3]"),
    ("empty", b""),
]


@pytest.mark.parametrize(("case", "body"), PITFALLS, ids=[case for case, _ in PITFALLS])
def test_the_column_reader_leaves_every_pitfall_to_msgspec(case: str, body: bytes) -> None:
    for slice_bytes in (1, 4, 1 << 20):
        assert read_columns(body, slice_bytes=slice_bytes) is None, case
    assert_same_as_msgspec(body)


@pytest.mark.parametrize(
    ("body", "timestamps", "values"),
    [
        (b'{"timestamps": [], "values": []}', [], []),
        (
            b' {"values" : [ 1.5 ,2e3, -0.0, 7 ] ,\n"timestamps":[0,1,2,9223372036854775807]}\r\n',
            [0, 1, 2, MAX_TIMESTAMP],
            [1.5, 2000.0, -0.0, 7.0],
        ),
        (
            b'{"timestamps": [1, 2], "values": [1e-400, 18446744073709551615]}',
            [1, 2],
            [0.0, 1.8446744073709552e19],
        ),
    ],
    ids=["empty", "reordered, spaced", "extremes"],
)
def test_the_column_reader_takes_any_plain_body(
    body: bytes, timestamps: list[int], values: list[float]
) -> None:
    for slice_bytes in (1, 4, 1 << 20):
        columns = read_columns(body, slice_bytes=slice_bytes)
        assert columns is not None
        assert columns.timestamps.tolist() == timestamps
        assert columns.values.tolist() == values
        assert [math.copysign(1, v) for v in columns.values.tolist()] == [math.copysign(1, v) for v in values]
    assert assert_same_as_msgspec(body)[-1] == body  # stored as sent


@example(size=300_000)
@given(st.integers(0, 2_000))
@settings(max_examples=20, deadline=None)
def test_a_large_body_is_read_across_slices(size: int) -> None:
    rng = np.random.default_rng(size)
    values = rng.normal(0.0, 1e6, size)
    body = msgspec.json.encode(
        {"timestamps": np.cumsum(rng.integers(1, 10**9, size)).tolist(), "values": values.tolist()}
    )

    columns = read_columns(body, slice_bytes=1024)

    assert columns is not None
    assert columns.values.tobytes() == values.tobytes()
    assert_same_as_msgspec(body)


# --- What is stored: the body as sent, or the batch restated ---------------------------------------

RESTATED = b'{"timestamps":[1,2,3],"values":[1.0,2.0,3.0]}'


@pytest.mark.parametrize(
    ("body", "restated"),
    [
        (b'{"timestamps": [1, 2, 3], "values": [1.0, 2.0, 3.0]}', None),
        (b'{"timestamps": [1, 2, 3], "values": [9.0, 9.0, 9.0], "values": [1.0, 2.0, 3.0]}', RESTATED),
        (b'{"timestamps": [1, 2, 3], "v\\u0061lues": [1.0, 2.0, 3.0]}', RESTATED),
        (b'{"timestamps": [1.0, 2.0, 3e0], "values": [1.0, 2.0, 3.0]}', RESTATED),
    ],
    ids=["plain", "repeated key", "escaped key", "whole float timestamps"],
)
def test_a_batch_is_restated_exactly_when_its_body_could_be_read_another_way(
    body: bytes, restated: bytes | None
) -> None:
    for columns_above in (0, len(body)):  # the column reader first, or msgspec alone
        batch = JsonBatchReader(columns_above=columns_above).read(body)
        assert batch.restated == restated
        assert batch.timestamps.tolist() == [1, 2, 3]
        assert batch.values.tolist() == [1.0, 2.0, 3.0]
