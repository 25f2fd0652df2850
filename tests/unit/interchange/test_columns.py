"""How a cell becomes a typed value, whatever the file format."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from salesdev.domains.interchange.columns import CellError, Column

TIER = Column("tier", "str", required=True, choices=("gold", "silver", "bronze"))


@pytest.mark.parametrize(
    ("column", "raw", "expected"),
    [
        (TIER, " gold ", "gold"),
        (Column("code"), 4711, "4711"),
        (Column("n", "int"), "-12", -12),
        (Column("n", "int"), Decimal("3"), 3),
        (Column("amount", "decimal"), "19.99", Decimal("19.99")),
        (Column("amount", "decimal"), Decimal("0.0125"), Decimal("0.0125")),
        (Column("amount", "decimal"), 20, Decimal(20)),
        (Column("day", "date"), "2026-02-28", date(2026, 2, 28)),
        (Column("at", "datetime"), "2026-01-01T00:00:00Z", datetime(2026, 1, 1, tzinfo=UTC)),
        (
            Column("at", "datetime"),
            "2026-01-01T01:00:00+01:00",
            datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
        ),
        (Column("flag", "bool"), "yes", True),
        (Column("flag", "bool"), "FALSE", False),
        (Column("flag", "bool"), True, True),
        (Column("id", "uuid"), "00000000-0000-0000-0000-000000000007", uuid.UUID(int=7)),
        (Column("note"), "", None),
        (Column("note"), None, None),
    ],
)
def test_cells_are_read_as_their_column_type(column: Column, raw: Any, expected: Any) -> None:
    assert column.parse(raw) == expected


@pytest.mark.parametrize(
    ("column", "raw", "message"),
    [
        (TIER, "platinum", "expected one of gold, silver, bronze, got 'platinum'"),
        (TIER, "  ", "a value is required"),
        (Column("code", max_length=4), "ABCDE", "at most 4 characters, got 5"),
        (Column("n", "int"), "1.5", "expected a whole number, got '1.5'"),
        (Column("n", "int"), True, "expected a whole number, got True"),
        (
            Column("amount", "decimal"),
            12.5,
            "amounts must be given as a decimal string or integer, got 12.5",
        ),
        (Column("amount", "decimal"), "12,50", "not a decimal number: '12,50'"),
        (
            Column("amount", "decimal"),
            "0.00001",
            "at most 4 decimal places are kept, got '0.00001'",
        ),
        (Column("day", "date"), "28/02/2026", "expected a date YYYY-MM-DD, got '28/02/2026'"),
        (
            Column("at", "datetime"),
            "2026-01-01T00:00:00",
            "a timezone is required (e.g. 2026-01-01T00:00:00Z); got '2026-01-01T00:00:00'",
        ),
        (
            Column("at", "datetime"),
            "soon",
            "expected an ISO 8601 date-time with a timezone, e.g. 2026-01-01T00:00:00Z; got 'soon'",
        ),
        (Column("flag", "bool"), "maybe", "expected true or false, got 'maybe'"),
        (Column("id", "uuid"), "x-1", "expected a UUID, got 'x-1'"),
        (Column("code"), 1.5, "expected text, got 1.5"),
        (Column("code"), "A\x00B", "contains a NUL character"),
    ],
)
def test_a_wrong_cell_says_what_was_expected(column: Column, raw: Any, message: str) -> None:
    with pytest.raises(CellError) as raised:
        column.parse(raw)

    assert str(raised.value) == message


def test_values_are_written_so_that_they_read_back_the_same() -> None:
    at = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    amount = Column("amount", "decimal")
    when = Column("at", "datetime")
    flag = Column("flag", "bool")

    assert (amount.to_text(Decimal("19.9900")), amount.to_json(Decimal("0.0125"))) == (
        "19.9900",
        "0.0125",
    )
    assert (when.to_text(at), when.parse(when.to_text(at))) == ("2026-03-01T12:30:00Z", at)
    assert (flag.to_text(False), flag.to_json(False), flag.to_text(None)) == ("false", False, "")
