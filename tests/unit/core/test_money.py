"""Money is exact: Decimal with a currency, one rounding policy, floats refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesdev.core.errors import InvalidInput
from salesdev.core.money import Money, parse_amount, parse_currency


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.5", Decimal("12.5")),
        (7, Decimal(7)),
        ("0.0125", Decimal("0.0125")),
        ("-3.10", Decimal("-3.10")),
    ],
)
def test_amounts_parse_exactly(raw: object, expected: Decimal) -> None:
    assert parse_amount(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (0.1, "amounts must be given as a decimal string or integer, got 0.1"),
        (True, "amounts must be given as a decimal string or integer, got True"),
        ("12,50", "not a decimal number: '12,50'"),
        ("NaN", "not a decimal number: 'NaN'"),
        ("0.00001", "at most 4 decimal places are kept, got '0.00001'"),
        ("1E+24", "amounts must be below 100,000,000,000,000 in size, got '1E+24'"),
        (
            "-100000000000000",
            "amounts must be below 100,000,000,000,000 in size, got '-100000000000000'",
        ),
    ],
)
def test_bad_amounts_say_what_is_wrong_and_where(raw: object, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_amount(raw, location="row 3: amount")
    assert [(d.location, d.message) for d in caught.value.details] == [("row 3: amount", message)]


@pytest.mark.parametrize("raw", ["eur", "EURO", "", 978])
def test_currency_must_be_an_iso_code(raw: object) -> None:
    with pytest.raises(InvalidInput, match="Invalid currency"):
        parse_currency(raw)


def test_rounding_is_half_up_to_the_minor_unit_of_the_currency() -> None:
    assert Money.of("2.345", "EUR").rounded() == Money(Decimal("2.35"), "EUR")
    assert Money.of("-2.345", "EUR").rounded() == Money(Decimal("-2.35"), "EUR")
    assert Money.of("1234.5", "JPY").rounded() == Money(Decimal("1235"), "JPY")
    assert Money.of("1.2345", "KWD").rounded() == Money(Decimal("1.235"), "KWD")


def test_adding_different_currencies_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Currency mismatch"):
        _ = Money.of("1", "EUR") + Money.of("1", "USD")


def test_multiplying_by_a_float_is_refused() -> None:
    with pytest.raises(TypeError):
        _ = Money.of("1", "EUR") * 0.5  # type: ignore[operator]


@given(st.lists(st.decimals(min_value=-(10**6), max_value=10**6, places=4), max_size=50))
def test_sums_are_exact_whatever_the_order(amounts: list[Decimal]) -> None:
    forward = sum((Money(a, "EUR") for a in amounts), Money.zero("EUR"))
    backward = sum((Money(a, "EUR") for a in reversed(amounts)), Money.zero("EUR"))
    assert forward == backward == Money(sum(amounts, Decimal(0)), "EUR")
