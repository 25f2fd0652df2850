"""Plain aligned columns: whole values (ids, tokens prefixes), readable by people and by ``awk``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

GAP = "  "


def aligned(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The header and one line per row; every column but the last padded to its widest cell."""
    table = [list(headers), *[list(row) for row in rows]]
    widths = [max(len(row[index]) for row in table) for index in range(len(headers))]
    return [
        GAP.join(
            cell if index == len(row) - 1 else cell.ljust(widths[index])
            for index, cell in enumerate(row)
        ).rstrip()
        for row in table
    ]


def when(value: datetime | None) -> str:
    """A moment in UTC to the minute, or ``-``."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value is not None else "-"


def yes(value: bool) -> str:
    return "yes" if value else "no"
