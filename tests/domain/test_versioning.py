"""Version numbers: allocated 1, 2, 3, ... per series, and read from clients as `7` or `v7`."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anomaly.domain.errors import InvalidInput
from anomaly.domain.versioning import MAX_VERSION, next_version, parse_version


def test_first_version_of_a_never_fitted_series_is_1() -> None:
    assert next_version(None) == 1


@pytest.mark.parametrize("last", [1, 2, 41, 2**63 - 1])
def test_next_version_follows_the_last_allocated_one(last: int) -> None:
    assert next_version(last) == last + 1


@pytest.mark.parametrize("last", [0, -1, -100])
def test_next_version_refuses_a_last_version_below_1(last: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        next_version(last)


@given(st.integers(min_value=1, max_value=200))
def test_repeated_allocation_counts_1_to_n(count: int) -> None:
    allocated: list[int] = []
    last: int | None = None
    for _ in range(count):
        last = next_version(last)
        allocated.append(last)

    assert allocated == list(range(1, count + 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7", 7), ("v7", 7), ("V7", 7), ("1", 1), ("v1", 1), ("123456789", 123456789)],
)
def test_parse_version_reads_a_number_with_an_optional_v(text: str, expected: int) -> None:
    assert parse_version(text) == expected


@pytest.mark.parametrize(
    "text",
    ["0", "v0", "-1", "v", "V", "", "7.0", "abc", "v-3", "+7", " 7", "7 ", "vv7", "٣", "v٣", "²"],
)
def test_parse_version_rejects_anything_but_a_positive_ascii_integer(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_version(text)

    assert caught.value.field == "version"


@given(st.integers(min_value=1, max_value=MAX_VERSION), st.sampled_from(["", "v", "V"]))
def test_parse_version_reads_back_any_storable_version(version: int, prefix: str) -> None:
    assert parse_version(f"{prefix}{version}") == version


@pytest.mark.parametrize(
    "text", [str(MAX_VERSION + 1), "v9223372036854775808", "9" * 40, "0" * 5000 + "1", "v" + "0" * 5000 + "1"]
)
def test_parse_version_refuses_numbers_no_version_can_have(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_version(text)
    assert raised.value.field == "version"
