"""SeriesId: the series identifier that later becomes a file name, so it must never carry a path."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anomaly.domain.errors import InvalidInput
from anomaly.domain.series_id import MAX_SERIES_ID_LENGTH, SeriesId

ALPHABET = string.ascii_letters + string.digits + "._-"

allowed_ids: st.SearchStrategy[str] = st.text(
    alphabet=ALPHABET, min_size=1, max_size=MAX_SERIES_ID_LENGTH
).filter(lambda text: text not in {".", ".."})


@pytest.mark.parametrize(
    "value",
    [
        "a",
        "Z",
        "7",
        "_",
        "-",
        "a" * 128,
        "sensor-01.temp_C",
        "...",
        ".hidden",
        "a..b",
        ALPHABET[:128],
    ],
)
def test_accepts_ids_of_letters_digits_dot_underscore_dash(value: str) -> None:
    series_id = SeriesId(value)

    assert series_id.value == value
    assert str(series_id) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "a" * 129,
        "a/b",
        "/",
        "../etc",
        "a\\b",
        "\\",
        "a b",
        " ",
        "a\tb",
        "abc\n",
        "é",
        "café",
        "ダ",
        "a\x00b",
        "\x00",
        ".",
        "..",
    ],
)
def test_rejects_ids_that_could_escape_a_directory_or_are_malformed(value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        SeriesId(value)

    assert caught.value.field == "series_id"


def test_equal_values_make_equal_ids() -> None:
    assert SeriesId("cpu.load") == SeriesId("cpu.load")
    assert SeriesId("cpu.load") != SeriesId("cpu.Load")


def is_accepted(value: str) -> bool:
    try:
        SeriesId(value)
    except InvalidInput:
        return False
    return True


@given(st.one_of(st.text(max_size=MAX_SERIES_ID_LENGTH + 2), st.text(alphabet=ALPHABET + "/\\\x00 ")))
def test_any_accepted_id_is_a_safe_file_name(value: str) -> None:
    if not is_accepted(value):
        return

    assert "/" not in value
    assert "\\" not in value
    assert "\x00" not in value
    assert value not in {".", ".."}
    assert 1 <= len(value) <= MAX_SERIES_ID_LENGTH


@given(allowed_ids)
def test_any_id_from_the_allowed_alphabet_is_accepted(value: str) -> None:
    assert SeriesId(value).value == value
