import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencpf.core.money import InvalidAmount, format_eur, parse_eur, percent_of


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "0,00\u00a0€"),
        (5, "0,05\u00a0€"),
        (123456, "1\u202f234,56\u00a0€"),
        (100000000, "1\u202f000\u202f000,00\u00a0€"),
        (-250, "-2,50\u00a0€"),
    ],
)
def test_format_eur(cents, text):
    assert format_eur(cents) == text


def test_format_refuses_floats():
    with pytest.raises(TypeError):
        format_eur(12.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1 234,56 €", 123456),
        ("1234.5", 123450),
        ("12", 1200),
        ("1.234,56", 123456),
        (" 0,05 ", 5),
        ("1\u202f000,00\u00a0€", 100000),
    ],
)
def test_parse_eur(text, cents):
    assert parse_eur(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "12,345", "1,234.56", "-5", "1e3", "12,", "€"])
def test_parse_eur_refuses(text):
    with pytest.raises(InvalidAmount) as exc:
        parse_eur(text)
    assert exc.value.code == "invalid_amount"


@given(st.integers(min_value=0, max_value=10**13))
def test_format_then_parse_round_trips(cents):
    assert parse_eur(format_eur(cents)) == cents


def test_percent_of_rounds_half_up():
    assert percent_of(150_000, 3_000) == 45_000
    assert percent_of(101, 500) == 5  # 5.05 -> 5
    assert percent_of(110, 500) == 6  # 5.5 -> 6
