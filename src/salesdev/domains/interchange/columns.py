"""Typed columns of a bulk file: how a cell is read, checked and written.

Cells arrive as text (CSV), JSON values or Arrow values (Parquet); every reader hands
them here, so a value means the same thing whatever the file format.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from salesdev.core.errors import InvalidInput
from salesdev.core.money import parse_amount
from salesdev.core.periods import parse_instant

ColumnType = Literal["str", "int", "decimal", "date", "datetime", "bool", "uuid"]

_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


class CellError(ValueError):
    """A cell that does not hold a value of its column's type (message says what was expected)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "str"
    required: bool = False
    description: str = ""
    choices: tuple[str, ...] | None = None
    max_length: int | None = None

    def parse(self, raw: Any) -> Any:
        """The typed value of a cell; ``None`` for an empty cell. Raises :class:`CellError`."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise CellError("a value is required")
            return None
        value = _PARSERS[self.type](raw)
        if isinstance(value, str):
            if self.max_length is not None and len(value) > self.max_length:
                raise CellError(f"at most {self.max_length} characters, got {len(value)}")
            if self.choices is not None and value not in self.choices:
                raise CellError(f"expected one of {', '.join(self.choices)}, got {value!r}")
        return value

    def to_text(self, value: Any) -> str:
        """The cell as CSV text (empty for no value)."""
        if value is None:
            return ""
        if self.type == "bool":
            return "true" if value else "false"
        return str(self.to_json(value))

    def to_json(self, value: Any) -> Any:
        """The cell as a JSON value: amounts as decimal strings so that they stay exact."""
        if value is None:
            return None
        match self.type:
            case "decimal":
                return str(value)
            case "date":
                return value.isoformat()
            case "datetime":
                return _iso_utc(value)
            case "uuid":
                return str(value)
            case "int" | "bool":
                return value
            case _:
                return str(value)


def _iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_str(raw: Any) -> str:
    # A code such as 4711 may come as a JSON or Parquet integer; it is still a code.
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise CellError(f"expected text, got {raw!r}")
    if isinstance(raw, str) and "\x00" in raw:
        raise CellError("contains a NUL character")
    return str(raw).strip()


def _parse_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise CellError(f"expected a whole number, got {raw!r}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, Decimal) and raw == raw.to_integral_value():
        return int(raw)
    text = str(raw).strip()
    if isinstance(raw, str) and text.lstrip("+-").isdigit():
        return int(text)
    raise CellError(f"expected a whole number, got {raw!r}")


def _parse_decimal(raw: Any) -> Decimal:
    try:
        return parse_amount(raw.strip() if isinstance(raw, str) else raw)
    except InvalidInput as error:
        raise CellError(error.details[0].message if error.details else error.message) from None


def _parse_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        raise CellError(f"expected a date YYYY-MM-DD, got a date-time {raw.isoformat()!r}")
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise CellError(f"expected a date YYYY-MM-DD, got {raw!r}") from None


def _parse_datetime(raw: Any) -> datetime:
    try:
        return parse_instant(raw)
    except ValueError as exc:
        raise CellError(str(exc)) from None


def _parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"expected true or false, got {raw!r}")


def _parse_uuid(raw: Any) -> uuid.UUID:
    if isinstance(raw, uuid.UUID):
        return raw
    try:
        return uuid.UUID(str(raw).strip())
    except ValueError:
        raise CellError(f"expected a UUID, got {raw!r}") from None


_PARSERS: dict[str, Any] = {
    "str": _parse_str,
    "int": _parse_int,
    "decimal": _parse_decimal,
    "date": _parse_date,
    "datetime": _parse_datetime,
    "bool": _parse_bool,
    "uuid": _parse_uuid,
}
