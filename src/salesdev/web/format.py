"""How values read on screen: exact amounts, grouped counts, UTC timestamps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def format_amount(value: Decimal | None, places: int = 2) -> str:
    """Group thousands and show ``places`` decimals; the Decimal is never turned into a float."""
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum):,}"


def format_count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def format_value(value: Any) -> str:
    """A field value for display (lists and forms)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return trim_decimal(value)
    return str(value)


def trim_decimal(value: Decimal) -> str:
    """Stored amounts carry four places; show two unless the extra places matter."""
    cents = value.quantize(Decimal("0.01"))
    return str(cents) if cents == value else str(value.normalize())


def humanize(code: str) -> str:
    """A stable code as a label: ``franchise_dealer`` -> ``Franchise dealer``."""
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]


def format_export(value: Any) -> str:
    """A field value in a CSV export: ISO dates, exact decimals, true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return trim_decimal(value)
    return str(value)
