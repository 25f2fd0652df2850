"""Validity is half-open: valid_from inclusive, valid_to exclusive; months are UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salesdev.core.errors import InvalidInput
from salesdev.core.periods import Period, Validity

JAN = datetime(2026, 1, 1, tzinfo=UTC)
FEB = datetime(2026, 2, 1, tzinfo=UTC)
MAR = datetime(2026, 3, 1, tzinfo=UTC)


def test_validity_contains_its_start_but_not_its_end() -> None:
    january = Validity(JAN, FEB)
    assert january.contains(JAN)
    assert january.contains(FEB - timedelta(microseconds=1))
    assert not january.contains(FEB)


def test_open_ended_validity_contains_everything_after_its_start() -> None:
    assert Validity(JAN).contains(datetime(2999, 1, 1, tzinfo=UTC))
    assert not Validity(JAN).contains(JAN - timedelta(seconds=1))


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (Validity(JAN, FEB), Validity(FEB, MAR), False),  # touching ranges do not overlap
        (Validity(JAN, MAR), Validity(FEB, MAR), True),
        (Validity(JAN), Validity(FEB, MAR), True),
        (Validity(FEB), Validity(JAN, FEB), False),
    ],
)
def test_overlap(a: Validity, b: Validity, overlap: bool) -> None:
    assert a.overlaps(b) is overlap
    assert b.overlaps(a) is overlap


def test_empty_or_naive_validity_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Empty validity period"):
        Validity(FEB, JAN)
    with pytest.raises(InvalidInput, match="Naive datetime"):
        Validity(datetime(2026, 1, 1))


def test_periods_parse_and_step() -> None:
    period = Period.parse("2026-12")
    assert (period.start, period.end) == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert str(period.next()) == "2027-01"
    assert str(Period.parse("2026-01").previous()) == "2025-12"
    assert Period.containing(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == Period(2026, 3)


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-01", "2026/01", ""])
def test_bad_periods_say_what_is_expected(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Period.parse(text, location="--period")
    assert caught.value.details[0].location == "--period"
    assert "expected YYYY-MM" in caught.value.details[0].message
