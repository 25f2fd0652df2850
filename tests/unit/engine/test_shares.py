"""A credit split's share is parsed one way wherever splits come in."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesdev.core.errors import ErrorDetail
from salesdev.engine.compensation.shares import parse_share


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0.6", Decimal("0.6000")),
        (" 0.25 ", Decimal("0.2500")),
        (1, Decimal("1.0000")),
        (Decimal("0.0001"), Decimal("0.0001")),
    ],
)
def test_a_share_above_0_and_at_most_1_is_kept_with_four_places(
    given: object, expected: Decimal
) -> None:
    problems: list[ErrorDetail] = []
    share = parse_share(given, location="row 2.share", problems=problems)
    assert (share, str(share), problems) == (expected, str(expected), [])


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (0.5, "a share must be a decimal, got 0.5"),
        (True, "a share must be a decimal, got True"),
        (None, "a share must be a decimal, got None"),
        ("", "a share must be a decimal, got ''"),
        ("half", "a share must be a decimal, got 'half'"),
        ("NaN", "a share must be a finite decimal, got 'NaN'"),
        ("0", "a share must be above 0 and at most 1, got 0"),
        ("1.5", "a share must be above 0 and at most 1, got 1.5"),
        ("0.12345", "a share keeps at most 4 decimal places, got 0.12345"),
    ],
)
def test_a_share_that_is_not_exact_or_out_of_range_is_refused_where_it_is(
    given: object, message: str
) -> None:
    problems: list[ErrorDetail] = []
    assert parse_share(given, location="row 2.share", problems=problems) is None
    assert problems == [ErrorDetail("row 2.share", message)]
